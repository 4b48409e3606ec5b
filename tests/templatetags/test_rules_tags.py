from screening.templatetags.rules_tags import RULE_ROW_FIELDS, rule_row


def rule(**changes):
    fields = {
        "code": "CI-AVM",
        "severity": "absolute",
        "title": "Arteriovenous malformation",
        "source": {"title": "SPRAVATO label", "section": "§4"},
        "enabled": True,
        "is_retired": False,
    }
    fields.update(changes)
    assert set(fields) == set(RULE_ROW_FIELDS)  # the columns the index reads
    return fields


def cells(html: str) -> list[str]:
    return [cell.split("</td>")[0] for cell in html.split("<td")[1:]]


def test_it_writes_code_severity_title_source_and_state():
    assert cells(rule_row(rule())) == [
        "><code>CI-AVM</code>",
        '><span class="badge severity-absolute text-bg-light border">Absolute</span>',
        ">Arteriovenous malformation",
        "><small>SPRAVATO label, §4</small>",
        ">in use",
    ]


def test_it_leaves_out_a_missing_source_section():
    assert cells(rule_row(rule(source={"title": "Clinic policy"})))[3] == (
        "><small>Clinic policy</small>"
    )
    assert cells(rule_row(rule(source={})))[3] == "><small></small>"


def test_it_shows_each_severitys_label():
    labels = [
        cells(rule_row(rule(severity=severity)))[1]
        for severity in ("absolute", "relative", "caution", "info")
    ]
    assert labels == [
        f'><span class="badge severity-{severity} text-bg-light border">{label}</span>'
        for severity, label in [
            ("absolute", "Absolute"),
            ("relative", "Relative"),
            ("caution", "Caution"),
            ("info", "Info"),
        ]
    ]


def test_it_says_whether_a_rule_is_retired_switched_off_or_in_use():
    states = [
        cells(rule_row(rule(is_retired=True, enabled=False)))[4],
        cells(rule_row(rule(enabled=False)))[4],
        cells(rule_row(rule()))[4],
    ]
    assert states == [">retired", ">switched off", ">in use"]


def test_it_escapes_what_a_rule_admin_typed():
    row = rule_row(rule(title="<b>x</b> & y", source={"title": '"A" <label>'}))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in row
    assert "&quot;A&quot; &lt;label&gt;" in row
    assert "<b>" not in row
