#!/usr/bin/python3
"""Independent reference for the bond tests: the same instrument built with
QuantLib's Python bindings (Debian quantlib-python), printed as JSON.

Usage: quantlib_reference.py ISSUE MATURITY COUPON FREQ PRICE INSTALMENTS UPFRONT_FEE GUARANTEE_FEE
Dates are YYYY-MM-DD; rates and fees are fractions; PRICE is % of par; the
face is 100. Principal: INSTALMENTS equal annual amounts ending at maturity.
"""
import json
import sys

import QuantLib as ql


def date(text):
    year, month, day = (int(part) for part in text.split("-"))
    return ql.Date(day, month, year)


def main():
    issue, maturity = date(sys.argv[1]), date(sys.argv[2])
    coupon, freq, price = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    instalments, upfront, premium = int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
    ql.Settings.instance().evaluationDate = issue
    frequency = {1: ql.Annual, 2: ql.Semiannual, 4: ql.Quarterly, 12: ql.Monthly}[freq]
    schedule = ql.Schedule(issue, maturity, ql.Period(frequency), ql.NullCalendar(),
                           ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Backward, False)
    due = [maturity - ql.Period(k, ql.Years) for k in range(instalments)]
    notionals, remaining = [], 100.0
    for idx in range(len(schedule) - 1):
        notionals.append(remaining)
        if schedule[idx + 1] in due:
            remaining -= 100.0 / instalments
    day_counter = ql.Thirty360(ql.Thirty360.BondBasis)
    bond = ql.AmortizingFixedRateBond(0, notionals, schedule, [coupon], day_counter,
                                      ql.Unadjusted, issue)
    yld = bond.bondYield(price, day_counter, ql.Compounded, frequency, issue, 1e-12, 200)
    rate = ql.InterestRate(yld, day_counter, ql.Compounded, frequency)
    macaulay = ql.BondFunctions.duration(bond, rate, ql.Duration.Macaulay, issue)
    modified = ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, issue)
    # Debt service per date, the premium on each coupon's notional and accrual.
    service = {}
    for flow in bond.cashflows():
        amount = flow.amount()
        coupon_flow = ql.as_fixed_rate_coupon(flow)
        if coupon_flow is not None:
            amount += coupon_flow.nominal() * premium * coupon_flow.accrualPeriod()
        service[flow.date()] = service.get(flow.date(), 0.0) + amount
    leg = [ql.SimpleCashFlow(amount, when) for when, amount in sorted(service.items())]
    proceeds = price - 100.0 * upfront
    all_in = ql.CashFlows.yieldRate(leg, proceeds, ql.Actual365Fixed(), ql.Compounded,
                                    ql.Annual, False, issue, issue, 1e-12, 200, 0.05)
    print(json.dumps({
        "yield": yld, "macaulay": macaulay, "modified": modified, "all_in": all_in,
        "principal": sum(flow.amount() for flow in bond.redemptions()),
        "service": [[when.ISO(), amount] for when, amount in sorted(service.items())],
    }))


if __name__ == "__main__":
    main()
