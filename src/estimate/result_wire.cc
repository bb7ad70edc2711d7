// EstimateResult as bytes (result_wire.h).
#include "estimate/result_wire.h"

#include <cstring>

#include "common/wire.h"
#include "mizani/error.h"

namespace mizani::estimate {
namespace {

template <typename T>
T Take(std::string_view& in) {
  if (in.size() < sizeof(T)) throw Error(ErrorCode::kInternal, "result bytes end early");
  T value;
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return value;
}

// Reads an element count written before a list and checks it against the
// bytes left (each element takes at least `min_bytes` of them), so a corrupt
// count is an error rather than a huge allocation or an overflow.
size_t ReadCount(std::string_view& in, size_t min_bytes) {
  const int64_t count = Take<int64_t>(in);
  if (count < 0 || static_cast<uint64_t>(count) > in.size() / min_bytes) {
    throw Error(ErrorCode::kInternal, "result bytes end early");
  }
  return static_cast<size_t>(count);
}

void WriteDoubles(const double* data, int64_t count, std::string& out) {
  WriteInt(count, out);
  AppendBytes(out, data, static_cast<size_t>(count));
}

std::vector<double> ReadDoubles(std::string_view& in) {
  const size_t count = ReadCount(in, sizeof(double));
  const size_t bytes = count * sizeof(double);
  std::vector<double> values(count);
  // memcpy must not see the null pointer of an empty vector.
  if (bytes > 0) std::memcpy(values.data(), in.data(), bytes);
  in.remove_prefix(bytes);
  return values;
}

void WriteStrings(const std::vector<std::string>& texts, std::string& out) {
  WriteInt(static_cast<int64_t>(texts.size()), out);
  for (const std::string& text : texts) WriteString(text, out);
}

std::vector<std::string> ReadStrings(std::string_view& in) {
  // Every string carries at least its 8-byte length.
  std::vector<std::string> texts(ReadCount(in, sizeof(int64_t)));
  for (std::string& text : texts) text = ReadString(in);
  return texts;
}

}  // namespace

void WriteInt(int64_t value, std::string& out) { AppendBytes(out, value); }
int64_t ReadInt(std::string_view& in) { return Take<int64_t>(in); }

void WriteString(std::string_view text, std::string& out) {
  WriteInt(static_cast<int64_t>(text.size()), out);
  out.append(text);
}

std::string ReadString(std::string_view& in) {
  const int64_t size = ReadInt(in);
  if (size < 0 || in.size() < static_cast<size_t>(size))
    throw Error(ErrorCode::kInternal, "result bytes end early");
  std::string text(in.substr(0, static_cast<size_t>(size)));
  in.remove_prefix(static_cast<size_t>(size));
  return text;
}

void WriteResult(const EstimateResult& result, std::string& out) {
  WriteInt(static_cast<int64_t>(result.termination), out);
  WriteString(result.message, out);
  WriteInt(static_cast<int64_t>(result.family), out);
  WriteString(result.formula, out);
  WriteStrings(result.coef_names, out);
  WriteDoubles(result.coef.data(), result.coef.size(), out);
  WriteInt(result.vcov.rows(), out);
  WriteDoubles(result.vcov.data(), result.vcov.size(), out);
  WriteStrings(result.collinear, out);
  WriteString(result.vcov_description, out);
  WriteInt(static_cast<int64_t>(result.num_clusters.size()), out);
  for (int64_t count : result.num_clusters) WriteInt(count, out);
  WriteInt(result.num_obs, out);
  WriteInt(result.rows_read, out);
  WriteInt(static_cast<int64_t>(result.dropped.size()), out);
  for (const auto& [reason, count] : result.dropped) {
    WriteInt(static_cast<int64_t>(reason), out);
    WriteInt(count, out);
  }
  WriteInt(result.iterations, out);
  WriteInt(result.fe_iterations, out);
  for (double value : {result.deviance, result.null_deviance, result.pseudo_r2, result.deviance_r2,
                       result.log_likelihood, result.rss, result.seconds_cleaning,
                       result.seconds_separation, result.seconds_irls, result.seconds_variance})
    AppendBytes(out, value);
  WriteInt(result.fe_dof, out);
  WriteInt(static_cast<int64_t>(result.fixed_effects.size()), out);
  for (const FixedEffectEstimates& fe : result.fixed_effects) {
    WriteString(fe.name, out);
    WriteStrings(fe.labels, out);
    WriteDoubles(fe.values.data(), static_cast<int64_t>(fe.values.size()), out);
  }
  WriteString(result.fe_normalisation, out);
}

EstimateResult ReadResult(std::string_view& in) {
  EstimateResult result;
  result.termination = static_cast<Termination>(ReadInt(in));
  result.message = ReadString(in);
  result.family = static_cast<Family>(ReadInt(in));
  result.formula = ReadString(in);
  result.coef_names = ReadStrings(in);
  const std::vector<double> coef = ReadDoubles(in);
  result.coef =
      Eigen::Map<const Eigen::VectorXd>(coef.data(), static_cast<Eigen::Index>(coef.size()));
  const int64_t vcov_rows = ReadInt(in);
  const std::vector<double> vcov = ReadDoubles(in);
  if (vcov_rows < 0 || (vcov_rows == 0 && !vcov.empty()) ||
      (vcov_rows > 0 && vcov.size() % static_cast<size_t>(vcov_rows) != 0)) {
    throw Error(ErrorCode::kInternal, "result bytes hold a malformed covariance matrix");
  }
  if (vcov_rows > 0) {
    result.vcov = Eigen::Map<const Eigen::MatrixXd>(
        vcov.data(), vcov_rows, static_cast<Eigen::Index>(vcov.size()) / vcov_rows);
  }
  result.collinear = ReadStrings(in);
  result.vcov_description = ReadString(in);
  result.num_clusters.resize(ReadCount(in, sizeof(int64_t)));
  for (int64_t& count : result.num_clusters) count = ReadInt(in);
  result.num_obs = ReadInt(in);
  result.rows_read = ReadInt(in);
  result.dropped.resize(ReadCount(in, 2 * sizeof(int64_t)));
  for (auto& [reason, count] : result.dropped) {
    reason = static_cast<DropReason>(ReadInt(in));
    count = ReadInt(in);
  }
  result.iterations = static_cast<int>(ReadInt(in));
  result.fe_iterations = ReadInt(in);
  for (double* value :
       {&result.deviance, &result.null_deviance, &result.pseudo_r2, &result.deviance_r2,
        &result.log_likelihood, &result.rss, &result.seconds_cleaning, &result.seconds_separation,
        &result.seconds_irls, &result.seconds_variance})
    *value = Take<double>(in);
  result.fe_dof = ReadInt(in);
  // A fixed effect carries at least three lengths (name, labels, values).
  result.fixed_effects.resize(ReadCount(in, 3 * sizeof(int64_t)));
  for (FixedEffectEstimates& fe : result.fixed_effects) {
    fe.name = ReadString(in);
    fe.labels = ReadStrings(in);
    fe.values = ReadDoubles(in);
  }
  result.fe_normalisation = ReadString(in);
  return result;
}

}  // namespace mizani::estimate
