#include "core/util/config.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/util/errors.h"

namespace sinsr {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

const ConfigKey* find_config_key(const std::string& dotted) {
  for (const ConfigKey& k : config_schema())
    if (k.dotted() == dotted) return &k;
  return nullptr;
}

std::string closest_config_key(const std::string& dotted) {
  // Prefer keys of the same section when the section itself is spelled right.
  const std::string section = dotted.substr(0, dotted.find('.'));
  bool section_known = false;
  for (const ConfigKey& k : config_schema()) section_known |= k.section == section;
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const ConfigKey& k : config_schema()) {
    if (section_known && k.section != section) continue;
    size_t d = edit_distance(dotted, k.dotted());
    if (d < best_d) best_d = d, best = k.dotted();
  }
  return best;
}

std::vector<std::string> config_sections() {
  std::vector<std::string> out;
  for (const ConfigKey& k : config_schema())
    if (std::find(out.begin(), out.end(), k.section) == out.end()) out.push_back(k.section);
  return out;
}

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string unknown_key_message(const std::string& dotted, const std::string& where) {
  return "unknown config key '" + dotted + "' " + where + "; did you mean '" + closest_config_key(dotted) +
         "'? (sinsr <command> --help lists every key)";
}

}  // namespace

Config Config::defaults() {
  Config cfg;
  for (const ConfigKey& k : config_schema()) cfg.assign(k.dotted(), k.default_value, "default");
  return cfg;
}

void Config::merge(const Overrides& entries, const std::string& origin, const std::string& where) {
  for (const auto& [key, value] : entries) {
    if (!find_config_key(key)) throw UsageError(unknown_key_message(key, where));
    assign(key, value, origin);
  }
}

void Config::check_all() const {
  for (const ConfigKey& k : config_schema()) check_rule(k.dotted());
}

void Config::set(const std::string& dotted, const std::string& value, const std::string& origin) {
  if (!find_config_key(dotted)) throw UsageError(unknown_key_message(dotted, "(set by " + origin + ")"));
  assign(dotted, value, origin);
  check_rule(dotted);
}

void Config::assign(const std::string& dotted, const std::string& value, const std::string& origin) {
  values_[dotted] = trim(value);
  origins_[dotted] = origin;
}

void Config::check_rule(const std::string& dotted) const {
  const std::string expected = find_config_key(dotted)->rule.check(str(dotted));
  if (!expected.empty()) bad_value(dotted, expected);
}

const std::string& Config::str(const std::string& dotted) const {
  auto it = values_.find(dotted);
  // A key missing here is a programming error (not in config_schema()), not a user error.
  if (it == values_.end()) throw std::logic_error("config key '" + dotted + "' is not in config_schema()");
  return it->second;
}

void Config::bad_value(const std::string& dotted, const std::string& expected) const {
  throw UsageError("config key " + dotted + " = '" + str(dotted) + "' (from " + origins_.at(dotted) + "): expected " +
                   expected);
}

int64_t Config::integer(const std::string& dotted) const {
  if (const auto v = parse_config_integer(str(dotted))) return *v;
  bad_value(dotted, "an integer");
}

double Config::real(const std::string& dotted) const {
  if (const auto v = parse_config_number(str(dotted))) return *v;
  bad_value(dotted, "a number");
}

bool Config::flag(const std::string& dotted) const {
  if (const auto v = parse_config_flag(str(dotted))) return *v;
  bad_value(dotted, "true or false");
}

std::vector<std::string> Config::items(const std::string& dotted) const { return split_config_items(str(dotted)); }

template <class T>
std::vector<T> Config::list_of(const std::string& dotted, std::optional<T> (*parse)(const std::string&),
                               const char* expected) const {
  std::vector<T> out;
  for (const std::string& item : items(dotted)) {
    const std::optional<T> v = parse(item);
    if (!v) bad_value(dotted, expected);
    out.push_back(*v);
  }
  return out;
}

std::vector<int64_t> Config::int_list(const std::string& dotted) const {
  return list_of(dotted, parse_config_integer, "a comma-separated list of integers");
}

std::vector<double> Config::real_list(const std::string& dotted) const {
  return list_of(dotted, parse_config_number, "a comma-separated list of numbers");
}

std::string Config::to_ini(const std::vector<std::string>& sections) const {
  std::ostringstream out;
  std::string current;
  for (const ConfigKey& k : config_schema()) {
    if (!sections.empty() && std::find(sections.begin(), sections.end(), k.section) == sections.end()) continue;
    if (k.section != current) {
      out << (current.empty() ? "" : "\n") << "[" << k.section << "]\n";
      current = k.section;
    }
    out << k.name << " = " << values_.at(k.dotted()) << "\n";
  }
  return out.str();
}

}  // namespace sinsr
