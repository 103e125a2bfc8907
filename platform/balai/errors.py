"""Domain errors that users can act on: a code, the field, and the message in both languages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    code: str
    message: str  # Indonesian, the default language of the interface
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }


@dataclass
class BalaiError(Exception):
    """Raised by service functions; the API answers it with a 4xx naming the fields."""

    errors: list[FieldError] = field(default_factory=list)
    status: int = 400

    @classmethod
    def single(
        cls, field: str, code: str, message: str, message_en: str, status: int = 400
    ) -> BalaiError:
        return cls(errors=[FieldError(field, code, message, message_en)], status=status)

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message_en}" for e in self.errors)

    def as_dict(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}
