-- wrk script of bench/pages.py: one page, logged in, POSTs with CSRF and Origin.
-- Usage: wrk ... -s page.lua URL -- CONFIG.lua (a table written by pages.py).
-- Every response whose status is not the page's expected one counts as an error.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   config = dofile(args[1])
   bad = 0
   sent = 0
   received = 0
   stopped = 0
   -- This thread's share of the paths (POSTs go to a different intake each time).
   mine = {}
   for i = id + 1, #config.paths, config.threads do
      table.insert(mine, config.paths[i])
   end
   if #mine == 0 then mine = config.paths end
   -- POSTs to distinct intakes stop before a path comes round again (a second save
   -- at the same version is a 409): once the responses leave fewer paths than
   -- requests that may still be in flight or written before the loop ends.
   last = #mine
   if config.once then last = math.max(#mine - 2 * config.connections, 1) end
   nonce = tostring(os.time()) .. "-" .. id
end

function request()
   sent = sent + 1
   local path = mine[(sent - 1) % #mine + 1]
   local headers = {["X-Forwarded-Proto"] = "https"}
   if #config.cookies > 0 then
      local n = (sent + id) % #config.cookies + 1
      headers["Cookie"] = config.cookies[n]
      if config.method == "POST" then
         headers["X-CSRFToken"] = config.csrf[n]
         headers["Origin"] = config.origin
         headers["Content-Type"] = config.content_type
      end
   end
   local body = nil
   if config.method == "POST" then
      body = string.gsub(config.body, "MRN_PLACEHOLDER", "BENCH-" .. nonce .. "-" .. sent)
   end
   return wrk.format(config.method, path, headers, body)
end

function response(status, headers, body)
   received = received + 1
   if status ~= config.expect then
      bad = bad + 1
   end
   if config.once and received >= last and stopped == 0 then
      -- wrk still reports the whole -d as the run's duration: pages.py then prints
      -- no requests per second.
      stopped = 1
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   local stopped_early = 0
   for _, thread in ipairs(threads) do
      errors = errors + thread:get("bad")
      stopped_early = stopped_early + thread:get("stopped")
   end
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "seconds": %f, "p50_us": %f, "p99_us": %f, "errors": %d, "stopped": %d}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50),
      latency:percentile(99), errors, stopped_early))
end
