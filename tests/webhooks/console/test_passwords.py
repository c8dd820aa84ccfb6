"""The password policy: long enough, not common, not repetitive, not the e-mail."""

from __future__ import annotations

import pytest

from contactpro.console.users import UserError, check_password, create_user

EMAIL = "ana.perez@example.com"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("corta", "weak_password"),
        ("123456789", "weak_password"),
        ("x" * 257, "weak_password"),
        ("aaaaaaaaaa", "common_password"),
        ("ababababab", "common_password"),
        ("1212121212", "common_password"),
        ("password123", "common_password"),
        ("Password123!", "common_password"),
        ("P@ssw0rd2024", "common_password"),
        ("contraseña", "common_password"),
        ("Contraseña2024!", "common_password"),
        ("contrasena1", "common_password"),
        ("1234567890", "common_password"),
        ("0987654321", "common_password"),
        ("qwertyuiop", "common_password"),
        ("abcdefghij", "common_password"),
        ("teamo123456", "common_password"),
        ("bienvenido1", "common_password"),
        ("millonarios1", "common_password"),
        (EMAIL, "email_password"),
        (EMAIL.upper(), "email_password"),
        ("ana.perez2024", "email_password"),
        ("Ana.Perez-clave", "email_password"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(UserError) as caught:
        check_password(password, EMAIL)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "una clave larga",
        "Tr0ub4dor&3x",
        "mi perro come mangos",
        "café con leche 7",
    ],
)
def test_reasonable_passwords_are_accepted(password: str) -> None:
    check_password(password, EMAIL)


def test_creating_a_user_applies_the_policy(session) -> None:
    with pytest.raises(UserError) as caught:
        create_user(session, email="luz@example.com", name="Luz", password="luz@example.com")
    assert caught.value.reason == "email_password"
    with pytest.raises(UserError) as caught:
        create_user(session, email="luz@example.com", name="Luz", password="aaaaaaaaaa")
    assert caught.value.reason == "common_password"
