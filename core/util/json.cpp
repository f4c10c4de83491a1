#include "core/util/json.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sinsr {
namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  Json parse_document() {
    Json v = parse_value();
    skip_ws();
    if (pos_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON parse error at offset " + std::to_string(pos_) + ": " + what);
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  char peek() {
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end of input");
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool consume_literal(const char* lit) {
    size_t n = std::char_traits<char>::length(lit);
    if (s_.compare(pos_, n, lit) == 0) {
      pos_ += n;
      return true;
    }
    return false;
  }

  Json parse_value() {
    char c = peek();
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return Json::string(parse_string());
    if (consume_literal("true")) return Json::boolean(true);
    if (consume_literal("false")) return Json::boolean(false);
    if (consume_literal("null")) return Json();
    // Python's json module writes these for non-finite floats.
    if (consume_literal("NaN")) return Json::number(NAN);
    if (consume_literal("Infinity")) return Json::number(INFINITY);
    if (consume_literal("-Infinity")) return Json::number(-INFINITY);
    return parse_number();
  }

  Json parse_number() {
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                s_[pos_] == '+' || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    if (start == pos_) fail("unexpected character");
    std::string tok = s_.substr(start, pos_ - start);
    char* end = nullptr;
    double v = std::strtod(tok.c_str(), &end);
    if (end != tok.c_str() + tok.size()) fail("bad number '" + tok + "'");
    return Json::number(v);
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  uint32_t parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("short \\u escape");
    uint32_t v = static_cast<uint32_t>(std::stoul(s_.substr(pos_, 4), nullptr, 16));
    pos_ += 4;
    return v;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = parse_hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
            pos_ += 2;
            uint32_t lo = parse_hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("bad escape \\") + e);
      }
    }
    return out;
  }

  Json parse_array() {
    expect('[');
    Json arr = Json::array();
    if (peek() == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      arr.push_back(parse_value());
      char c = peek();
      ++pos_;
      if (c == ']') return arr;
      if (c != ',') fail("expected ',' or ']'");
    }
  }

  Json parse_object() {
    expect('{');
    Json obj = Json::object();
    if (peek() == '}') {
      ++pos_;
      return obj;
    }
    while (true) {
      if (peek() != '"') fail("expected a key string");
      std::string key = parse_string();
      expect(':');
      obj.set(key, parse_value());
      char c = peek();
      ++pos_;
      if (c == '}') return obj;
      if (c != ',') fail("expected ',' or '}'");
    }
  }
};

void dump_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace

Json Json::parse(const std::string& text) { return Parser(text).parse_document(); }

bool Json::as_bool() const {
  if (type_ != Type::Bool) throw std::runtime_error("JSON value is not a boolean");
  return bool_;
}
double Json::as_number() const {
  if (type_ != Type::Number) throw std::runtime_error("JSON value is not a number");
  return number_;
}
int64_t Json::as_int() const {
  if (type_ == Type::Bool) return bool_ ? 1 : 0;
  double v = as_number();
  if (std::floor(v) != v) throw std::runtime_error("JSON number " + std::to_string(v) + " is not an integer");
  return static_cast<int64_t>(v);
}
const std::string& Json::as_string() const {
  if (type_ != Type::String) throw std::runtime_error("JSON value is not a string");
  return string_;
}
const std::vector<Json>& Json::as_array() const {
  if (type_ != Type::Array) throw std::runtime_error("JSON value is not an array");
  return array_;
}
std::vector<int64_t> Json::as_int_list() const {
  if (type_ == Type::Number) return {as_int()};
  std::vector<int64_t> out;
  for (const Json& v : as_array()) out.push_back(v.as_int());
  return out;
}
const std::vector<std::pair<std::string, Json>>& Json::as_object() const {
  if (type_ != Type::Object) throw std::runtime_error("JSON value is not an object");
  return object_;
}
bool Json::has(const std::string& key) const {
  if (type_ != Type::Object) return false;
  for (const auto& kv : object_)
    if (kv.first == key) return true;
  return false;
}
const Json& Json::operator[](const std::string& key) const {
  for (const auto& kv : as_object())
    if (kv.first == key) return kv.second;
  throw std::runtime_error("JSON object has no key '" + key + "'");
}
const Json& Json::operator[](size_t index) const {
  const auto& a = as_array();
  if (index >= a.size()) throw std::runtime_error("JSON array index out of range");
  return a[index];
}
size_t Json::size() const {
  if (type_ == Type::Array) return array_.size();
  if (type_ == Type::Object) return object_.size();
  return 0;
}

Json Json::number(double v) {
  Json j;
  j.type_ = Type::Number;
  j.number_ = v;
  return j;
}
Json Json::string(std::string v) {
  Json j;
  j.type_ = Type::String;
  j.string_ = std::move(v);
  return j;
}
Json Json::boolean(bool v) {
  Json j;
  j.type_ = Type::Bool;
  j.bool_ = v;
  return j;
}
Json Json::array(std::vector<Json> items) {
  Json j;
  j.type_ = Type::Array;
  j.array_ = std::move(items);
  return j;
}
Json Json::object(std::vector<std::pair<std::string, Json>> members) {
  Json j;
  j.type_ = Type::Object;
  j.object_ = std::move(members);
  return j;
}
void Json::push_back(Json v) {
  if (type_ != Type::Array) throw std::runtime_error("push_back on a non-array JSON value");
  array_.push_back(std::move(v));
}
void Json::set(const std::string& key, Json v) {
  if (type_ != Type::Object) throw std::runtime_error("set on a non-object JSON value");
  for (auto& kv : object_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  object_.emplace_back(key, std::move(v));
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

void Json::dump_to(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (type_) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += bool_ ? "true" : "false"; break;
    case Type::Number: {
      if (!std::isfinite(number_)) {
        out += "null";  // JSON has no NaN or infinity; "nan" would make the whole file unreadable
      } else if (std::floor(number_) == number_ && std::fabs(number_) < 9.0e15) {
        out += std::to_string(static_cast<int64_t>(number_));
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", number_);
        out += buf;
      }
      break;
    }
    case Type::String: dump_string(out, string_); break;
    case Type::Array:
      out += '[';
      for (size_t i = 0; i < array_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        array_[i].dump_to(out, indent, depth + 1);
      }
      if (!array_.empty()) newline(depth);
      out += ']';
      break;
    case Type::Object:
      out += '{';
      for (size_t i = 0; i < object_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        dump_string(out, object_[i].first);
        out += indent < 0 ? ":" : ": ";
        object_[i].second.dump_to(out, indent, depth + 1);
      }
      if (!object_.empty()) newline(depth);
      out += '}';
      break;
  }
}

}  // namespace sinsr
