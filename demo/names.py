"""The demo's Russian names: first names by gender, surnames whose form follows the gender."""

import random
from typing import Literal

Gender = Literal["female", "male"]

FEMALE_FIRST_NAMES = (
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Ирина",
    "Наталья",
    "Татьяна",
    "Юлия",
    "Екатерина",
    "Светлана",
    "Дарья",
    "Полина",
    "Алина",
    "Марина",
)
MALE_FIRST_NAMES = (
    "Дмитрий",
    "Алексей",
    "Сергей",
    "Павел",
    "Андрей",
    "Максим",
    "Михаил",
    "Николай",
    "Иван",
    "Артём",
    "Роман",
    "Кирилл",
    "Виктор",
    "Игорь",
)
# Masculine forms; the feminine adds "а" (Иванов -> Иванова, Фёдоров -> Фёдорова).
SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Петров",
    "Зайцев",
    "Павлов",
    "Орлов",
    "Фёдоров",
    "Никитин",
)
FEMALE_SURNAME_ENDINGS = ("ова", "ева", "ёва", "ина", "ая")


def surname_in(surname: str, gender: Gender) -> str:
    """The masculine ``surname`` in the form of ``gender`` (Лебедев -> Лебедева)."""
    return surname + "а" if gender == "female" else surname


def surname_gender(surname: str) -> Gender:
    """The gender a Russian surname's ending says: -ова/-ева/-ина/-ая are female."""
    return "female" if surname.endswith(FEMALE_SURNAME_ENDINGS) else "male"


def first_name_gender(first_name: str) -> Gender | None:
    """The gender of a first name of the demo's lists; None for a name not in them."""
    if first_name in FEMALE_FIRST_NAMES:
        return "female"
    if first_name in MALE_FIRST_NAMES:
        return "male"
    return None


def full_name(rng: random.Random) -> str:
    """A "Surname First-name" whose two parts agree in gender, drawn from ``rng``."""
    gender: Gender = rng.choice(("female", "male"))
    first_names = FEMALE_FIRST_NAMES if gender == "female" else MALE_FIRST_NAMES
    return f"{surname_in(rng.choice(SURNAMES), gender)} {rng.choice(first_names)}"
