// Bond analytics through QuantLib 1.29: the schedule, the amortising
// fixed-rate bond, its yield and duration (BondFunctions), and the all-in
// cost as the yield of the net cash-flow leg (CashFlows::yield).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ql/cashflows/cashflows.hpp>
#include <ql/cashflows/fixedratecoupon.hpp>
#include <ql/cashflows/simplecashflow.hpp>
#include <ql/instruments/bonds/amortizingfixedratebond.hpp>
#include <ql/pricingengines/bond/bondfunctions.hpp>
#include <ql/settings.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual360.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>
#include <ql/time/daycounters/actualactual.hpp>
#include <ql/time/daycounters/thirty360.hpp>
#include <ql/time/schedule.hpp>

#include "data/civil_date.h"
#include "mizani/error.h"
#include "mizani/finance.h"

namespace mizani::finance {

namespace ql = QuantLib;

namespace {

ql::Date ToQl(const CivilDate& date) {
  return {static_cast<ql::Day>(date.day), static_cast<ql::Month>(date.month),
          static_cast<ql::Year>(date.year)};
}

CivilDate FromQl(const ql::Date& date) {
  return {date.year(), static_cast<int>(date.month()), date.dayOfMonth()};
}

ql::DayCounter DayCounterOf(DayCount day_count) {
  switch (day_count) {
    case DayCount::kThirty360:
      return ql::Thirty360(ql::Thirty360::BondBasis);
    case DayCount::kActual365:
      return ql::Actual365Fixed();
    case DayCount::kActual360:
      return ql::Actual360();
    case DayCount::kActualActual:
      return ql::ActualActual(ql::ActualActual::ISMA);
  }
  return ql::Actual365Fixed();
}

ql::Frequency FrequencyOf(int per_year) {
  switch (per_year) {
    case 1:
      return ql::Annual;
    case 2:
      return ql::Semiannual;
    case 4:
      return ql::Quarterly;
    default:
      return ql::Monthly;
  }
}

// QuantLib keeps the evaluation date in a global; every call here sets it
// to the issue date (analytics are as at issue) and restores it on return.
class EvaluationDate {
 public:
  explicit EvaluationDate(const ql::Date& date)
      : saved_(ql::Settings::instance().evaluationDate()) {
    ql::Settings::instance().evaluationDate() = date;
  }
  ~EvaluationDate() { ql::Settings::instance().evaluationDate() = saved_; }
  EvaluationDate(const EvaluationDate&) = delete;
  EvaluationDate& operator=(const EvaluationDate&) = delete;

 private:
  ql::Date saved_;
};

struct BuiltBond {
  ql::Schedule schedule;
  std::vector<double> notionals;  // per accrual period
  std::unique_ptr<ql::AmortizingFixedRateBond> bond;
};

// The notional of each period: principal falls on the repayment dates of
// the instrument's amortisation rule (see finance.h).
std::vector<double> PeriodNotionals(const Instrument& instrument, const ql::Schedule& schedule) {
  const size_t periods = schedule.size() - 1;
  std::vector<double> repaid_after(periods + 1, 0.0);  // fraction repaid at schedule[idx]
  const ql::Date issue = ToQl(instrument.issue);
  const ql::Date maturity = ToQl(instrument.maturity);
  if (instrument.instalments >= 1) {
    for (int instalment_idx = 0; instalment_idx < instrument.instalments; ++instalment_idx) {
      const ql::Date due = maturity - ql::Period(instalment_idx, ql::Years);
      for (size_t date_idx = 1; date_idx <= periods; ++date_idx) {
        if (schedule[date_idx] == due) repaid_after[date_idx] += 1.0 / instrument.instalments;
      }
    }
  } else {
    const ql::Date grace_end = issue + ql::Period(instrument.grace_years, ql::Years);
    int count = 0;
    for (size_t date_idx = 1; date_idx <= periods; ++date_idx)
      count += schedule[date_idx] > grace_end;
    for (size_t date_idx = 1; date_idx <= periods; ++date_idx) {
      if (schedule[date_idx] > grace_end) repaid_after[date_idx] = 1.0 / count;
    }
  }
  std::vector<double> notionals(periods);
  double remaining = 1.0;
  for (size_t period_idx = 0; period_idx < periods; ++period_idx) {
    notionals[period_idx] = instrument.face * std::max(remaining, 0.0);
    remaining -= repaid_after[period_idx + 1];
  }
  return notionals;
}

BuiltBond Build(const Instrument& instrument) {
  ValidateInstrument(instrument);
  BuiltBond built;
  const ql::Date issue = ToQl(instrument.issue);
  const ql::Date maturity = ToQl(instrument.maturity);
  built.schedule = ql::Schedule(issue, maturity, ql::Period(FrequencyOf(instrument.frequency)),
                                ql::NullCalendar(), ql::Unadjusted, ql::Unadjusted,
                                ql::DateGeneration::Backward, false);
  built.notionals = PeriodNotionals(instrument, built.schedule);
  const double rate = instrument.rate_type == RateType::kFixed
                          ? instrument.coupon
                          : instrument.index_rate + instrument.coupon;
  built.bond = std::make_unique<ql::AmortizingFixedRateBond>(
      0, built.notionals, built.schedule, std::vector<ql::Rate>{rate},
      DayCounterOf(instrument.day_count), ql::Unadjusted, issue);
  return built;
}

}  // namespace

std::optional<CivilDate> ParseDate(const std::string& text) {
  // QuantLib's dates run from 1901 to 2199.
  constexpr int kFirstYear = 1901;
  constexpr int kLastYear = 2199;
  // A year alone: its 1 January.
  if (text.size() == 4 && std::all_of(text.begin(), text.end(),
                                      [](char symbol) { return symbol >= '0' && symbol <= '9'; })) {
    const int year = std::stoi(text);
    if (year < kFirstYear || year > kLastYear) return std::nullopt;
    return CivilDate{year, 1, 1};
  }
  const auto day =
      data::ParseCivilDate(text, data::DateOrder::kYearMonthDay, '-', kFirstYear, kLastYear);
  if (!day) return std::nullopt;
  return CivilDate{day->year, day->month, day->day};
}

std::string FormatDate(const CivilDate& date) {
  return fmt::format("{:04d}-{:02d}-{:02d}", date.year, date.month, date.day);
}

double YearFraction(const CivilDate& from, const CivilDate& to) {
  return static_cast<double>(ToQl(to) - ToQl(from)) / 365.0;
}

const std::vector<std::string>& KnownCurrencies() {
  // ISO 4217 codes of the register and the strategies; XDR (also written
  // SDR) is the IMF's unit of account, AUA the African Development Bank's.
  static const std::vector<std::string> kCodes = {"USD", "KES", "JPY", "EUR", "GBP", "CNY", "SDR",
                                                  "CHF", "SEK", "DKK", "NOK", "CAD", "AED", "SAR",
                                                  "KWD", "INR", "ZAR", "KRW", "XDR", "AUA"};
  return kCodes;
}

bool IsKnownCurrency(const std::string& code) {
  const auto& codes = KnownCurrencies();
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

void ValidateInstrument(const Instrument& instrument) {
  const auto fail = [&](const std::string& field, const std::string& why) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("instrument '{}', {}: {}", instrument.name, field, why));
  };
  if (!IsKnownCurrency(instrument.currency)) {
    fail("currency", fmt::format("unknown currency '{}' (known: {})", instrument.currency,
                                 fmt::join(KnownCurrencies(), ", ")));
  }
  if (!(instrument.face > 0))
    fail("face", fmt::format("amount must be positive, got {}", instrument.face));
  if (instrument.coupon < 0 || instrument.index_rate < 0) fail("coupon", "negative rate");
  if (!(instrument.price > 0))
    fail("price", fmt::format("must be positive, got {}", instrument.price));
  if (instrument.upfront_fee < 0 || instrument.upfront_fee >= 1) {
    fail("upfront_fee", fmt::format("must be in [0, 1), got {}", instrument.upfront_fee));
  }
  if (instrument.guarantee_fee < 0) fail("guarantee_fee", "negative premium");
  if (ToQl(instrument.maturity) <= ToQl(instrument.issue)) {
    fail("maturity", fmt::format("maturity {} is not after issue {}",
                                 FormatDate(instrument.maturity), FormatDate(instrument.issue)));
  }
  const int frequency = instrument.frequency;
  if (frequency != 1 && frequency != 2 && frequency != 4 && frequency != 12) {
    fail("frequency", fmt::format("payments a year must be 1, 2, 4 or 12, got {}", frequency));
  }
  const double life = YearFraction(instrument.issue, instrument.maturity);
  if (instrument.instalments < 0 || instrument.instalments > life + 1e-9) {
    fail("instalments", fmt::format("{} annual instalments do not fit in a {:.2f}-year life",
                                    instrument.instalments, life));
  }
  if (instrument.grace_years < 0 || instrument.grace_years >= life) {
    fail("grace_years",
         fmt::format("{} years of grace in a {:.2f}-year life", instrument.grace_years, life));
  }
  if (instrument.instalments == 0 && instrument.grace_years == 0) {
    fail("instalments", "0 instalments needs grace_years > 0 (equal payments after the grace)");
  }
}

BondAnalytics AnalyzeInstrument(const Instrument& instrument) {
  const BuiltBond built = Build(instrument);
  const ql::Date issue = ToQl(instrument.issue);
  const EvaluationDate evaluation(issue);
  const ql::DayCounter day_counter = DayCounterOf(instrument.day_count);
  const ql::Frequency frequency = FrequencyOf(instrument.frequency);
  BondAnalytics result;

  // Debt service by payment date: coupons (with the premium on the same
  // notional and accrual) and redemptions.
  std::map<ql::Date, CashFlow> by_date;
  for (const auto& flow : built.bond->cashflows()) {
    CashFlow& row = by_date[flow->date()];
    row.date = FromQl(flow->date());
    if (const auto coupon = ql::ext::dynamic_pointer_cast<ql::FixedRateCoupon>(flow)) {
      row.interest += coupon->amount();
      row.guarantee += coupon->nominal() * instrument.guarantee_fee * coupon->accrualPeriod();
    } else {
      row.principal += flow->amount();
    }
  }
  double outstanding = instrument.face;
  ql::Leg net_leg;
  for (auto& [date, row] : by_date) {
    row.time = YearFraction(instrument.issue, row.date);
    outstanding -= row.principal;
    row.outstanding = outstanding;
    result.principal_repaid += row.principal;
    result.average_life += row.time * row.principal;
    result.flows.push_back(row);
    net_leg.push_back(ql::ext::make_shared<ql::SimpleCashFlow>(row.Total(), date));
  }
  result.average_life /= instrument.face;
  result.net_proceeds = instrument.face * (instrument.price / 100.0 - instrument.upfront_fee);

  result.yield = ql::BondFunctions::yield(*built.bond, instrument.price, day_counter,
                                          ql::Compounded, frequency, issue, 1e-12, 200);
  const ql::InterestRate yield(result.yield, day_counter, ql::Compounded, frequency);
  result.macaulay_duration =
      ql::BondFunctions::duration(*built.bond, yield, ql::Duration::Macaulay, issue);
  result.modified_duration =
      ql::BondFunctions::duration(*built.bond, yield, ql::Duration::Modified, issue);
  result.all_in_cost =
      ql::CashFlows::yield(net_leg, result.net_proceeds, ql::Actual365Fixed(), ql::Compounded,
                           ql::Annual, false, issue, issue, 1e-12, 200, 0.05);
  return result;
}

double PriceAtYield(const Instrument& instrument, double yield) {
  const BuiltBond built = Build(instrument);
  const ql::Date issue = ToQl(instrument.issue);
  const EvaluationDate evaluation(issue);
  return ql::BondFunctions::cleanPrice(*built.bond, yield, DayCounterOf(instrument.day_count),
                                       ql::Compounded, FrequencyOf(instrument.frequency), issue);
}

}  // namespace mizani::finance
