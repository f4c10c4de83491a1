// One config section declared once (docs/architecture.md §3): each row names a key, its default, its help line,
// the rule its value must obey and the field of the owner's struct it fills. The table feeds the schema
// (config_schema(): --help, --print-config, the INI check) and reads a checked Config into the struct, so a
// stage parses its section once when it starts and its loops read fields, never key strings.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/util/config.h"

namespace sinsr {

// The precisions every [*].precision key accepts (parse_precision in core/nn/precision reads them).
inline constexpr const char* kPrecisionChoices = "fp32|bf16|fp16";

namespace config_detail {
// Converts a checked value to the field's type.
inline void assign(int64_t& v, const Config& cfg, const std::string& key) { v = cfg.integer(key); }
inline void assign(double& v, const Config& cfg, const std::string& key) { v = cfg.real(key); }
inline void assign(bool& v, const Config& cfg, const std::string& key) { v = cfg.flag(key); }
inline void assign(std::string& v, const Config& cfg, const std::string& key) { v = cfg.str(key); }
inline void assign(std::vector<int64_t>& v, const Config& cfg, const std::string& key) { v = cfg.int_list(key); }
inline void assign(std::vector<double>& v, const Config& cfg, const std::string& key) { v = cfg.real_list(key); }
inline void assign(std::vector<std::string>& v, const Config& cfg, const std::string& key) { v = cfg.items(key); }
}  // namespace config_detail

template <class S>
class ConfigTable {
 public:
  // A key and the field it fills: `field` is a member pointer of S (or anything std::invoke maps from S& to
  // the field). Value types: int64_t, double, bool, std::string and std::vector of int64_t, double or
  // std::string; a range ("low, high") is a two-element std::vector<double>.
  struct Row {
    template <class Field>
    Row(std::string name, std::string default_value, std::string help, ValueRule rule, Field field)
        : name(std::move(name)),
          default_value(std::move(default_value)),
          help(std::move(help)),
          rule(std::move(rule)),
          read([field](S& s, const Config& cfg, const std::string& key) {
            config_detail::assign(std::invoke(field, s), cfg, key);
          }) {}

    using Reader = std::function<void(S&, const Config&, const std::string& key)>;
    struct WithReader {};
    Row(WithReader, std::string name, std::string default_value, std::string help, ValueRule rule, Reader read)
        : name(std::move(name)),
          default_value(std::move(default_value)),
          help(std::move(help)),
          rule(std::move(rule)),
          read(std::move(read)) {}

    std::string name;
    std::string default_value;
    std::string help;
    ValueRule rule;
    Reader read;
  };

  // `finish` completes and checks a read struct (cross-key rules, normalisation); it throws UsageError.
  ConfigTable(std::string section, std::vector<Row> rows, std::function<void(S&)> finish = {})
      : section_(std::move(section)), rows_(std::move(rows)), finish_(std::move(finish)) {}

  // The rows of a part of S (a member struct P with its own rows), with `suffix` appended to each key.
  template <class P>
  static std::vector<Row> part(const std::vector<typename ConfigTable<P>::Row>& rows, P S::*member,
                               const std::string& suffix) {
    std::vector<Row> out;
    for (const auto& r : rows)
      out.emplace_back(
          typename Row::WithReader{}, r.name + suffix, r.default_value, r.help, r.rule,
          [read = r.read, member](S& s, const Config& cfg, const std::string& key) { read(s.*member, cfg, key); });
    return out;
  }

  const std::string& section() const { return section_; }

  // The schema rows of this section, in table order.
  std::vector<ConfigKey> keys() const {
    std::vector<ConfigKey> out;
    for (const Row& r : rows_) out.push_back({section_, r.name, r.default_value, r.help, r.rule});
    return out;
  }

  // The section's values. load_config has checked every value against its rule, so conversion cannot fail
  // here; a value set later through Config::set is checked there too.
  S read(const Config& cfg) const {
    S s{};
    for (const Row& r : rows_) r.read(s, cfg, section_ + "." + r.name);
    if (finish_) finish_(s);
    return s;
  }

 private:
  std::string section_;
  std::vector<Row> rows_;
  std::function<void(S&)> finish_;
};

// The base of a section's struct S, which defines `static ConfigTable<S> table();` beside its code: the
// schema rows and the parsed section come from that one table.
template <class S>
struct ConfigSection {
  static std::vector<ConfigKey> config_keys() { return S::table().keys(); }
  static S from_config(const Config& cfg) { return S::table().read(cfg); }

 protected:
  // Shorthands for the rows of S::table(): &C::field, R::integer_at_least(1).
  using C = S;
  using R = ValueRule;
};

}  // namespace sinsr
