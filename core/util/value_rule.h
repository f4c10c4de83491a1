// What one config key accepts (issue 17: every value is checked when a command starts, before any work).
// Each key of config_schema() carries a ValueRule; load_config checks every key against its rule and
// reports the first bad one as a one-line usage error naming section.key, the value, its origin and what
// the rule expects. The parsers here are the only ones for config text: Config's typed accessors use them.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace sinsr {

class ValueRule {
 public:
  enum class Kind { text, integer, number, flag, choice, integer_list, number_list, range, choice_list };

  // Any text (paths, names).
  static ValueRule text() { return ValueRule(Kind::text); }
  static ValueRule integer_at_least(int64_t low);
  static ValueRule integer_in(int64_t low, int64_t high);
  // A finite number in [low, high]; low_open makes it (low, high], high_open [low, high).
  static ValueRule number_in(double low, double high, bool low_open = false, bool high_open = false);
  static ValueRule number_above(double low) { return number_in(low, kInf, true); }
  static ValueRule number_at_least(double low) { return number_in(low, kInf); }
  static ValueRule probability() { return number_in(0, 1); }
  static ValueRule flag() { return ValueRule(Kind::flag); }
  // One of the '|'-separated names.
  static ValueRule one_of(const std::string& names);
  // Comma-separated lists whose every item obeys the bound; may_be_empty allows "".
  static ValueRule integers_at_least(int64_t low, bool may_be_empty = false);
  static ValueRule numbers_at_least(double low);
  static ValueRule items_of(const std::string& names, bool may_be_empty = false);
  // "low, high" with low <= high, both within [min, max] (min_open: both > min).
  static ValueRule range_in(double min, double max, bool min_open = false);

  // Empty when `value` is acceptable, else what is expected ("an integer >= 1").
  std::string check(const std::string& value) const;
  // What the rule accepts, for --help ("" for text).
  std::string describe() const;

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  explicit ValueRule(Kind kind) : kind_(kind) {}
  bool in_bounds(double v) const;
  std::string bounds_text() const;

  Kind kind_;
  double low_ = -kInf, high_ = kInf;
  bool low_open_ = false, high_open_ = false, may_be_empty_ = false;
  std::vector<std::string> names_;
};

// The parsers of config text. Each accepts the whole string or nothing.
std::optional<int64_t> parse_config_integer(const std::string& text);
std::optional<double> parse_config_number(const std::string& text);
std::optional<bool> parse_config_flag(const std::string& text);  // true/false, 1/0, yes/no, on/off
// "a, b, c" or "[a, b, c]", items trimmed; "" is the empty list.
std::vector<std::string> split_config_items(const std::string& text);

}  // namespace sinsr
