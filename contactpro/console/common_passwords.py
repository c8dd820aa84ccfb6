"""Passwords (and password stems) too common to accept, in Spanish and English.

Compared after folding (lower case, no accents) and after stripping the digits and symbols
people append ("Password123!" is "password"), so each stem covers its variants.
"""

from __future__ import annotations

COMMON_PASSWORDS = frozenset(
    """
    password passw0rd passwort pass contrasena contrasenia clave miclave clavesecreta secreto
    secret letmein welcome bienvenido bienvenida admin administrator administrador root
    qwerty qwertyuiop qwertyui asdfgh asdfghjkl asdfghjklñ zxcvbnm azerty abc abcd abcde
    abcdef abcdefg abcdefgh abcdefghi abcdefghij iloveyou teamo tequiero amor amorcito
    princess princesa dragon monkey football futbol soccer baseball master superman batman
    sunshine shadow michael jennifer jordan hunter trustno1 starwars whatever freedom
    hello hola holahola holamundo computer computador computadora internet usuario user
    login changeme cambiame cambiar nuevaclave newpassword default contactpro callcenter
    soporte support servicio cliente empresa colombia mexico bogota medellin cali
    america argentina espana chile peru venezuela barcelona madrid realmadrid
    millonarios nacional junior america1 chivas pumas tigres guadalupe
    maria mariana daniel daniela alejandro alejandra carlos andres santiago sebastian
    valentina camila sofia natalia jesus jesucristo dios diosesamor
    mariposa estrella corazon chocolate tesoro familia fernando
    """.split()
)
# Runs of keys or digits in a row, checked as substrings of the whole password.
SEQUENCES = (
    "01234567890",
    "09876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv",
)
