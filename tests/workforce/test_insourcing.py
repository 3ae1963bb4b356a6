"""The in-house vs outsourcing calculator (workforce.insourcing), no database: a worked
example written out by hand, to the kopeck, and the coverage rules."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from workforce import insourcing

# The worked example: a flat 200 calls an hour, 24/7, AHT 180 s, 80 % within 20 s.
# A = 200 * 180 / 3600 = 10 Erlangs an hour: Erlang C needs 14 agents (SL 88.8 %, the
# published callcentrehelper case), ceil(14 / (1 - 0.3)) = 20 scheduled with 30 % shrinkage.
# Every cost input is written here, so changing a default cannot move these figures.
WORKED = insourcing.Inputs(
    calls_per_hour=200,
    coverage="24/7",
    aht_seconds=180,
    threshold_seconds=20,
    target_service_level=0.8,
    shrinkage=0.3,
    max_occupancy=1.0,
    hours_per_fte_month=Decimal("164"),
    operator_salary=Decimal("60000"),
    payroll_tax_rate=Decimal("0.302"),
    workstation_per_seat=Decimal("6000"),
    software_telephony_per_seat=Decimal("4000"),
    agents_per_seat=Decimal("1"),
    annual_turnover=Decimal("0.6"),
    recruiting_cost_per_hire=Decimal("15000"),
    training_hours_per_hire=Decimal("80"),
    trainee_hourly_pay=Decimal("250"),
    operators_per_supervisor=Decimal("15"),
    supervisor_salary=Decimal("90000"),
    operators_per_qa=Decimal("40"),
    qa_salary=Decimal("75000"),
    management_overhead_rate=Decimal("0.1"),
    price_per_minute=Decimal("32"),
    billable_share=Decimal("0.85"),
    monthly_minimum=Decimal("100000"),
)


def r2(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_worked_example_by_hand():
    result = insourcing.compare(WORKED)
    line = result.line_by_key

    # Staffing: the same every hour of the week.
    assert [(h.agents, h.scheduled_agents) for h in result.hours] == [(14, 20)] * 24
    assert line["peak_agents"].quantity == 14
    weekly_hours = 20 * 24 * 7  # 3,360 scheduled agent-hours a week
    assert line["scheduled_agent_hours"].quantity == weekly_hours
    paid_hours = r2(Decimal(weekly_hours) * 52 / 12)  # 14,560.00 h a month
    assert paid_hours == Decimal("14560.00")
    assert line["paid_hours"].quantity == paid_hours
    fte = r2(paid_hours / 164)  # 88.780487... -> 88.78
    assert fte == Decimal("88.78")
    assert line["operators_fte"].quantity == fte
    assert line["operators_fte"].formula == "14,560 paid hours / 164 h per FTE"

    # In-house, each line from the rounded figures before it.
    salaries = r2(fte * 60000)  # 5,326,800.00
    supervisors = r2(fte / 15)  # 5.918666... -> 5.92
    supervisor_pay = r2(supervisors * 90000)  # 532,800.00
    qa = r2(fte / 40)  # 2.2195 -> 2.22 (half up)
    qa_pay = r2(qa * 75000)  # 166,500.00
    taxes = r2((salaries + supervisor_pay + qa_pay) * Decimal("0.302"))  # 1,819,882.20
    seats = 20  # the peak scheduled agents, one seat each
    workstations = r2(seats * 6000)  # 120,000.00
    software = r2(seats * 4000)  # 80,000.00
    hires = r2(fte * Decimal("0.6") / 12)  # 4.439 -> 4.44 a month
    recruiting = r2(hires * 15000)  # 66,600.00
    training = r2(hires * 80 * 250)  # 88,800.00
    direct = salaries + supervisor_pay + qa_pay + taxes + workstations + software
    direct += recruiting + training  # 8,201,382.20
    overhead = r2(direct * Decimal("0.1"))  # 820,138.22
    in_house = direct + overhead  # 9,021,520.42

    assert (supervisors, qa, hires) == (Decimal("5.92"), Decimal("2.22"), Decimal("4.44"))
    expected_amounts = {
        "operator_salaries": Decimal("5326800.00"),
        "supervisors": Decimal("532800.00"),
        "quality_assurance": Decimal("166500.00"),
        "payroll_taxes": Decimal("1819882.20"),
        "workstations": Decimal("120000.00"),
        "software_telephony": Decimal("80000.00"),
        "recruiting": Decimal("66600.00"),
        "training": Decimal("88800.00"),
        "management_overhead": Decimal("820138.22"),
        "in_house_total": Decimal("9021520.42"),
    }
    assert [
        salaries,
        supervisor_pay,
        qa_pay,
        taxes,
        workstations,
        software,
        recruiting,
        training,
        overhead,
        in_house,
    ] == list(expected_amounts.values())
    assert {key: line[key].amount for key in expected_amounts} == expected_amounts
    assert line["workstations"].quantity == seats
    assert line["recruiting"].quantity == hires

    # Outsourced: 200 calls x 24 h x 7 days x 52 / 12 = 145,600 calls a month, 3 min each,
    # 85 % of it billed at 32.00 a minute.
    calls = r2(Decimal(200 * 24 * 7) * 52 / 12)
    assert calls == Decimal("145600.00") == line["handled_calls"].quantity
    minutes = r2(calls * 180 / 60 * Decimal("0.85"))  # 371,280.00 min
    assert minutes == Decimal("371280.00") == line["billable_minutes"].quantity
    outsourced = max(r2(minutes * 32), Decimal("100000.00"))  # 11,880,960.00
    assert outsourced == Decimal("11880960.00") == line["outsourced_total"].amount

    totals = result.totals
    assert totals.in_house == Decimal("9021520.42")
    assert totals.outsourced == Decimal("11880960.00")
    assert totals.saving == in_house - outsourced == Decimal("-2859439.58")
    assert totals.outsourced_to_in_house == Decimal("1.3170")  # 1.316955...
    assert totals.break_even_price_per_minute == r2(in_house / minutes) == Decimal("24.30")
    assert result.verdict == (
        "In-house is cheaper by 2,859,439.58 a month. "
        "Outsourcing breaks even at 24.30 a billable minute."
    )


def test_every_line_says_how_it_is_computed():
    result = insourcing.compare(WORKED)
    formulas = {line.key: line.formula for line in result.lines}
    assert formulas["operator_salaries"] == "88.78 FTE × 60,000.00"
    assert formulas["supervisors"] == "88.78 FTE / 15 = 5.92 × 90,000.00"
    assert formulas["payroll_taxes"] == "(5,326,800.00 + 532,800.00 + 166,500.00) × 30.2%"
    assert formulas["outsourced_total"] == "max(11,880,960.00, monthly minimum 100,000.00)"
    assert [line.key for line in result.lines] == [
        "handled_calls",
        "peak_agents",
        "scheduled_agent_hours",
        "paid_hours",
        "operators_fte",
        "operator_salaries",
        "supervisors",
        "quality_assurance",
        "payroll_taxes",
        "workstations",
        "software_telephony",
        "recruiting",
        "training",
        "management_overhead",
        "in_house_total",
        "billable_minutes",
        "outsourced_minutes",
        "outsourced_total",
    ]


def test_a_cheaper_price_turns_the_verdict():
    result = insourcing.compare(
        insourcing.Inputs(**{**WORKED.__dict__, "price_per_minute": Decimal("20")})
    )
    # 371,280 min x 20.00 = 7,425,600.00 against 9,021,520.42 in-house.
    assert result.totals.outsourced == Decimal("7425600.00")
    assert result.totals.saving == Decimal("1595920.42")
    assert result.verdict.startswith("Outsourcing is cheaper by 1,595,920.42 a month (82.31% ")


def test_the_monthly_minimum_applies_to_a_small_line():
    result = insourcing.compare(
        insourcing.Inputs(**{**WORKED.__dict__, "calls_per_hour": 1, "coverage": "24/7"})
    )
    # 1 x 24 x 7 x 52 / 12 = 728 calls, 3 min x 85 % = 1,856.40 min x 32 = 59,404.80 < 100,000.
    assert result.line_by_key["billable_minutes"].quantity == Decimal("1856.40")
    assert result.line_by_key["outsourced_minutes"].amount == Decimal("59404.80")
    assert result.totals.outsourced == Decimal("100000.00")


def test_business_hours_count_only_the_covered_hours_of_the_covered_days():
    profile = [0.0] * 24
    profile[9], profile[10], profile[17], profile[20] = 100.0, 50.0, 10.0, 500.0
    inputs = insourcing.Inputs(
        **{
            **WORKED.__dict__,
            "calls_per_hour": tuple(profile),
            "coverage": "business_hours",
            "open_hour": 9,
            "close_hour": 18,
            "days_per_week": None,  # 5 for business hours
        }
    )
    result = insourcing.compare(inputs)
    assert [hour.hour for hour in result.hours] == list(range(9, 18))  # 20:00 is closed
    by_hour = {hour.hour: hour for hour in result.hours}
    # 100 calls: 5 Erl -> 8 agents -> ceil(8 / 0.7) = 12; 50: 2.5 Erl -> 5 -> 8;
    # 10: 0.5 Erl -> 2 -> 3; an hour without calls: 0.
    assert [(by_hour[h].agents, by_hour[h].scheduled_agents) for h in (9, 10, 17, 12)] == [
        (8, 12),
        (5, 8),
        (2, 3),
        (0, 0),
    ]
    line = result.line_by_key
    assert line["scheduled_agent_hours"].quantity == (12 + 8 + 3) * 5
    assert line["paid_hours"].quantity == Decimal("498.33")  # 115 x 52 / 12 = 498.333...
    assert line["handled_calls"].quantity == Decimal("3466.67")  # 160 x 5 x 52 / 12
    assert line["workstations"].quantity == 12
    assert "09:00-18:00, 5 days a week" in line["handled_calls"].formula


def test_seats_are_shared_by_the_agents_per_seat_ratio():
    inputs = insourcing.Inputs(**{**WORKED.__dict__, "agents_per_seat": Decimal("1.5")})
    assert insourcing.compare(inputs).line_by_key["workstations"].quantity == 14  # ceil(13.33)


def test_no_calls_costs_nothing_in_house_and_the_minimum_outsourced():
    result = insourcing.compare(insourcing.Inputs(**{**WORKED.__dict__, "calls_per_hour": 0}))
    assert result.totals.in_house == Decimal("0.00")
    assert result.totals.outsourced == Decimal("100000.00")
    assert result.totals.outsourced_to_in_house is None
    assert result.totals.break_even_price_per_minute is None
    assert result.verdict == "In-house is cheaper by 100,000.00 a month."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coverage": "weekends"}, "coverage"),
        ({"coverage": "business_hours", "open_hour": 18, "close_hour": 9}, "close_hour"),
        ({"coverage": "24/7", "days_per_week": 5}, "days_per_week"),
        ({"calls_per_hour": (1.0, 2.0)}, "calls_per_hour"),
        ({"calls_per_hour": 1e9}, "calls_per_hour"),  # past Erlang C's traffic limit
    ],
)
def test_contradicting_inputs_name_the_field(changes, field):
    with pytest.raises(insourcing.InsourcingInputError) as caught:
        insourcing.compare(insourcing.Inputs(**{**WORKED.__dict__, **changes}))
    assert caught.value.field == field
