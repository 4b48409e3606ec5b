"""The scored instruments, one module each (rule book §8-9)."""
