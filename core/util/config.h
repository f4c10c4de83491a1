// Run configuration (docs/architecture.md §3): INI sections of "key = value" lines, every key with a default equal
// to the paper's value, overridden by the file and then by `--section.key=value` on the command line (the file is
// read by core/util/config_file.h; this class needs no INI parser).
// Values are kept as the text the user wrote and converted on access, so error messages can quote them.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/util/value_rule.h"

namespace sinsr {

struct ConfigKey {
  std::string section;
  std::string name;
  std::string default_value;
  std::string help;
  ValueRule rule = ValueRule::text();  // what the key accepts, checked by load_config and Config::set
  std::string dotted() const { return section + "." + name; }
};

// Every key the system knows, in documentation order: each section's ConfigTable (core/util/config_table.h),
// composed in core/util/config_schema.cpp.
const std::vector<ConfigKey>& config_schema();
const ConfigKey* find_config_key(const std::string& dotted);
// The known key nearest to `dotted` by edit distance (for "did you mean" messages).
std::string closest_config_key(const std::string& dotted);
// Sections in schema order.
std::vector<std::string> config_sections();

class Config {
 public:
  using Overrides = std::vector<std::pair<std::string, std::string>>;

  // Every key at its default. Files and command lines are read by load_config (core/util/config_file.h).
  static Config defaults();

  // Takes `entries` over (unchecked, so that a later layer may still fix a value); an unknown key is a
  // UsageError naming the closest valid one and `where` ("in FILE", "on the command line").
  void merge(const Overrides& entries, const std::string& origin, const std::string& where);
  // Every value against its key's rule; the first bad one is a UsageError naming key, value and origin.
  void check_all() const;
  void set(const std::string& dotted, const std::string& value, const std::string& origin);  // checked
  void set_source(const std::string& path) { source_ = path; }

  const std::string& str(const std::string& dotted) const;
  int64_t integer(const std::string& dotted) const;
  double real(const std::string& dotted) const;
  bool flag(const std::string& dotted) const;
  std::vector<int64_t> int_list(const std::string& dotted) const;   // "1,2,2,4" or "[1, 2, 2, 4]"; "" = empty
  std::vector<double> real_list(const std::string& dotted) const;   // "0.45, 0.25" or "[0.45, 0.25]"
  std::vector<std::string> items(const std::string& dotted) const;  // the comma-separated items, trimmed
  // The merged configuration as INI text (all sections, or only those listed).
  std::string to_ini(const std::vector<std::string>& sections = {}) const;
  const std::string& source() const { return source_; }

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> origins_;  // "default", the INI path, or "command line"
  std::string source_;

  [[noreturn]] void bad_value(const std::string& dotted, const std::string& expected) const;
  template <class T>
  std::vector<T> list_of(const std::string& dotted, std::optional<T> (*parse)(const std::string&),
                         const char* expected) const;
  void assign(const std::string& dotted, const std::string& value, const std::string& origin);  // unchecked
  void check_rule(const std::string& dotted) const;
};

// Levenshtein distance, exposed for the launcher's "did you mean" on command names.
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace sinsr
