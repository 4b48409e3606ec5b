"""JSON encoding for stored answers: decimals stay exact numbers, never binary floats.

Answers are parsed with ``parse_float=Decimal`` and written back as JSON numbers.
Doses have at most 4 decimal places (intake-format.md section 2.5), so the shortest
float repr of ``float(str(d))`` prints exactly the stored digits.
"""

import json
from decimal import Decimal
from typing import Any


class AnswerEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return (
                int(o)
                if o == o.to_integral_value() and "." not in str(o)
                else float(str(o))
            )
        return super().default(o)


class AnswerDecoder(json.JSONDecoder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parse_float"] = Decimal
        super().__init__(*args, **kwargs)


def as_stored(value: Any) -> Any:
    """The value as reading it back from a JSONField with these classes gives it."""
    return json.loads(json.dumps(value, cls=AnswerEncoder), cls=AnswerDecoder)
