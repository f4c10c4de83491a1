#include "core/util/value_rule.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace sinsr {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> split_names(const std::string& names) {
  std::vector<std::string> out;
  std::stringstream ss(names);
  std::string name;
  while (std::getline(ss, name, '|')) out.push_back(name);
  return out;
}

std::string join(const std::vector<std::string>& names, const std::string& sep) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : sep) + n;
  return s;
}

// Shortest text that reads back as v ("1", "0.5", "1e-06").
std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

std::optional<int64_t> parse_config_integer(const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (!text.empty() && used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<double> parse_config_number(const std::string& text) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (!text.empty() && used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<bool> parse_config_flag(const std::string& text) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::vector<std::string> split_config_items(const std::string& text) {
  std::string s = trim(text);
  if (!s.empty() && s.front() == '[' && s.back() == ']') s = trim(s.substr(1, s.size() - 2));
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(trim(item));
  if (s.back() == ',') out.emplace_back();  // "1,2," has an empty last item, which no list accepts
  return out;
}

ValueRule ValueRule::integer_at_least(int64_t low) {
  ValueRule r(Kind::integer);
  r.low_ = static_cast<double>(low);
  return r;
}

ValueRule ValueRule::integer_in(int64_t low, int64_t high) {
  ValueRule r(Kind::integer);
  r.low_ = static_cast<double>(low), r.high_ = static_cast<double>(high);
  return r;
}

ValueRule ValueRule::number_in(double low, double high, bool low_open, bool high_open) {
  ValueRule r(Kind::number);
  r.low_ = low, r.high_ = high, r.low_open_ = low_open, r.high_open_ = high_open;
  return r;
}

ValueRule ValueRule::one_of(const std::string& names) {
  ValueRule r(Kind::choice);
  r.names_ = split_names(names);
  return r;
}

ValueRule ValueRule::integers_at_least(int64_t low, bool may_be_empty) {
  ValueRule r(Kind::integer_list);
  r.low_ = static_cast<double>(low), r.may_be_empty_ = may_be_empty;
  return r;
}

ValueRule ValueRule::numbers_at_least(double low) {
  ValueRule r(Kind::number_list);
  r.low_ = low;
  return r;
}

ValueRule ValueRule::items_of(const std::string& names, bool may_be_empty) {
  ValueRule r(Kind::choice_list);
  r.names_ = split_names(names), r.may_be_empty_ = may_be_empty;
  return r;
}

ValueRule ValueRule::range_in(double min, double max, bool min_open) {
  ValueRule r(Kind::range);
  r.low_ = min, r.high_ = max, r.low_open_ = min_open;
  return r;
}

bool ValueRule::in_bounds(double v) const {
  return std::isfinite(v) && (low_open_ ? v > low_ : v >= low_) && (high_open_ ? v < high_ : v <= high_);
}

std::string ValueRule::bounds_text() const {
  const bool has_low = std::isfinite(low_), has_high = std::isfinite(high_);
  std::string s;
  if (has_low) s += (low_open_ ? "> " : ">= ") + number_text(low_);
  if (has_high) s += (has_low ? " and " : "") + std::string(high_open_ ? "< " : "<= ") + number_text(high_);
  return s;
}

std::string ValueRule::describe() const {
  const std::string bounds = bounds_text(), empty = may_be_empty_ ? " (may be empty)" : "";
  switch (kind_) {
    case Kind::text: return "";
    case Kind::integer: return "an integer " + bounds;
    case Kind::number: return "a finite number" + (bounds.empty() ? "" : " " + bounds);
    case Kind::flag: return "true or false";
    case Kind::choice: return "one of " + join(names_, ", ");
    case Kind::integer_list: return "a comma-separated list of integers " + bounds + empty;
    case Kind::number_list: return "a comma-separated list of numbers " + bounds;
    case Kind::choice_list: return "a comma-separated list of " + join(names_, ", ") + empty;
    case Kind::range: return "a range 'low, high' with low <= high, both " + bounds;
  }
  return "";
}

std::string ValueRule::check(const std::string& value) const {
  bool ok = true;
  switch (kind_) {
    case Kind::text: break;
    case Kind::integer: {
      const auto v = parse_config_integer(value);
      ok = v && in_bounds(static_cast<double>(*v));
      break;
    }
    case Kind::number: {
      const auto v = parse_config_number(value);
      ok = v && in_bounds(*v);
      break;
    }
    case Kind::flag: ok = parse_config_flag(value).has_value(); break;
    case Kind::choice: ok = std::find(names_.begin(), names_.end(), value) != names_.end(); break;
    case Kind::integer_list:
    case Kind::number_list:
    case Kind::choice_list:
    case Kind::range: {
      const std::vector<std::string> items = split_config_items(value);
      ok = !items.empty() || may_be_empty_;
      for (const std::string& item : items) {
        if (kind_ == Kind::choice_list) {
          ok = ok && std::find(names_.begin(), names_.end(), item) != names_.end();
        } else if (kind_ == Kind::integer_list) {
          const auto v = parse_config_integer(item);
          ok = ok && v && in_bounds(static_cast<double>(*v));
        } else {
          const auto v = parse_config_number(item);
          ok = ok && v && in_bounds(*v);
        }
      }
      if (kind_ == Kind::range && ok)
        ok = items.size() == 2 && *parse_config_number(items[0]) <= *parse_config_number(items[1]);
      break;
    }
  }
  return ok ? "" : describe();
}

}  // namespace sinsr
