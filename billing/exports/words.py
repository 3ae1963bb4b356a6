"""An amount in Russian words, as invoices print it: 'Двенадцать тысяч ... рублей 50 копеек'."""

from decimal import Decimal

from num2words import num2words

from contactcenter.money import money

# (one, two to four, five and more) - рубль is masculine, which num2words assumes.
CURRENCY_FORMS = {
    "RUB": (("рубль", "рубля", "рублей"), ("копейка", "копейки", "копеек")),
    "USD": (("доллар США", "доллара США", "долларов США"), ("цент", "цента", "центов")),
    "EUR": (("евро", "евро", "евро"), ("цент", "цента", "центов")),
}


def plural_ru(number, forms):
    """The Russian plural form for ``number``: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    one, few, many = forms
    number = abs(number)
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def amount_in_words(amount, currency="RUB"):
    """Decimal('12345.50') -> 'Двенадцать тысяч триста сорок пять рублей 50 копеек'.

    Whole units in words, the fraction in digits, as Russian payment documents write it.
    An unknown currency keeps its ISO code: 'Сто USD 00'.
    """
    amount = money(Decimal(amount))
    sign = "Минус " if amount < 0 else ""
    amount = abs(amount)
    units = int(amount)
    cents = int((amount - units) * 100)
    words = num2words(units, lang="ru")
    text = f"{words[0].upper()}{words[1:]}" if not sign else f"{sign}{words}"
    if currency in CURRENCY_FORMS:
        unit_forms, cent_forms = CURRENCY_FORMS[currency]
        return f"{text} {plural_ru(units, unit_forms)} {cents:02d} {plural_ru(cents, cent_forms)}"
    return f"{text} {currency} {cents:02d}"
