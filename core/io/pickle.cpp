#include "core/io/pickle.h"

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace sinsr::io {

std::string PyObj::repr() const {
  std::ostringstream o;
  switch (kind) {
    case Kind::None: o << "None"; break;
    case Kind::Bool: o << (i ? "True" : "False"); break;
    case Kind::Int: o << i; break;
    case Kind::Float: o << f; break;
    case Kind::Str: o << '\'' << s << '\''; break;
    case Kind::Bytes: o << "<" << s.size() << " bytes>"; break;
    case Kind::Tuple:
    case Kind::List: {
      o << (kind == Kind::Tuple ? '(' : '[');
      for (size_t k = 0; k < items.size() && k < 8; ++k) o << (k ? ", " : "") << items[k]->repr();
      if (items.size() > 8) o << ", ... (" << items.size() << " items)";
      o << (kind == Kind::Tuple ? ')' : ']');
      break;
    }
    case Kind::Dict: o << "{dict with " << dict.size() << " entries}"; break;
    case Kind::Global: o << "<class " << s << ">"; break;
    case Kind::Tensor: o << "<tensor>"; break;
    case Kind::Opaque: o << "<" << s << " object>"; break;
  }
  return o.str();
}

namespace {

class Unpickler {
 public:
  Unpickler(const char* data, size_t size, const UnpicklerHooks& hooks) : p_(data), end_(data + size), hooks_(hooks) {}

  PyRef run(int* protocol) {
    while (true) {
      const uint8_t op = u8();
      switch (op) {
        case 0x80: protocol_ = u8(); break;  // PROTO
        case 0x95: skip(8); break;           // FRAME (length only)
        case '.': {                          // STOP
          if (protocol) *protocol = protocol_;
          return pop();
        }
        case '(': marks_.push_back(stack_.size()); break;  // MARK
        case '0': pop(); break;                            // POP
        case '1': pop_mark(); break;                       // POP_MARK
        case '2': stack_.push_back(top()); break;          // DUP
        case 'N': stack_.push_back(PyObj::make(PyObj::Kind::None)); break;
        case 0x88: push_bool(true); break;                                 // NEWTRUE
        case 0x89: push_bool(false); break;                                // NEWFALSE
        case 'J': push_int(static_cast<int32_t>(le<uint32_t>(4))); break;  // BININT
        case 'K': push_int(u8()); break;                                   // BININT1
        case 'M': push_int(static_cast<int64_t>(le<uint16_t>(2))); break;  // BININT2
        case 0x8a: push_long(u8()); break;                                 // LONG1
        case 0x8b: push_long(le<uint32_t>(4)); break;                      // LONG4
        case 'G': {                                                        // BINFLOAT (big endian)
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | u8();
          double d;
          std::memcpy(&d, &bits, 8);
          auto o = PyObj::make(PyObj::Kind::Float);
          o->f = d;
          stack_.push_back(o);
          break;
        }
        case 'X': push_str(PyObj::Kind::Str, le<uint32_t>(4)); break;        // BINUNICODE
        case 0x8c: push_str(PyObj::Kind::Str, u8()); break;                  // SHORT_BINUNICODE
        case 0x8d: push_str(PyObj::Kind::Str, le<uint64_t>(8)); break;       // BINUNICODE8
        case 'T': push_str(PyObj::Kind::Str, le<uint32_t>(4)); break;        // BINSTRING
        case 'U': push_str(PyObj::Kind::Str, u8()); break;                   // SHORT_BINSTRING
        case 'B': push_str(PyObj::Kind::Bytes, le<uint32_t>(4)); break;      // BINBYTES
        case 'C': push_str(PyObj::Kind::Bytes, u8()); break;                 // SHORT_BINBYTES
        case 0x8e: push_str(PyObj::Kind::Bytes, le<uint64_t>(8)); break;     // BINBYTES8
        case ')': stack_.push_back(PyObj::make(PyObj::Kind::Tuple)); break;  // EMPTY_TUPLE
        case ']': stack_.push_back(PyObj::make(PyObj::Kind::List)); break;   // EMPTY_LIST
        case '}': stack_.push_back(PyObj::make(PyObj::Kind::Dict)); break;   // EMPTY_DICT
        case 0x8f: stack_.push_back(PyObj::make(PyObj::Kind::List)); break;  // EMPTY_SET (as a list)
        case 't': {                                                          // TUPLE
          auto t = PyObj::make(PyObj::Kind::Tuple);
          t->items = pop_mark();
          stack_.push_back(t);
          break;
        }
        case 0x85: push_tuple(1); break;  // TUPLE1
        case 0x86: push_tuple(2); break;  // TUPLE2
        case 0x87: push_tuple(3); break;  // TUPLE3
        case 'l': {                       // LIST
          auto l = PyObj::make(PyObj::Kind::List);
          l->items = pop_mark();
          stack_.push_back(l);
          break;
        }
        case 'd': {  // DICT
          auto d = PyObj::make(PyObj::Kind::Dict);
          auto kv = pop_mark();
          for (size_t k = 0; k + 1 < kv.size(); k += 2) d->dict.emplace_back(kv[k], kv[k + 1]);
          stack_.push_back(d);
          break;
        }
        case 'a': {  // APPEND
          auto v = pop();
          expect_container(top(), PyObj::Kind::List, "APPEND")->items.push_back(v);
          break;
        }
        case 'e':     // APPENDS
        case 0x90: {  // ADDITEMS (sets are kept as lists)
          auto vs = pop_mark();
          auto& items = expect_container(top(), PyObj::Kind::List, "APPENDS")->items;
          items.insert(items.end(), vs.begin(), vs.end());
          break;
        }
        case 's': {  // SETITEM
          auto v = pop();
          auto k = pop();
          expect_container(top(), PyObj::Kind::Dict, "SETITEM")->dict.emplace_back(k, v);
          break;
        }
        case 'u': {  // SETITEMS
          auto kv = pop_mark();
          auto d = expect_container(top(), PyObj::Kind::Dict, "SETITEMS");
          for (size_t k = 0; k + 1 < kv.size(); k += 2) d->dict.emplace_back(kv[k], kv[k + 1]);
          break;
        }
        case 'q': memo_[u8()] = top(); break;                          // BINPUT
        case 'r': memo_[le<uint32_t>(4)] = top(); break;               // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;                 // MEMOIZE
        case 'h': stack_.push_back(memo_get(u8())); break;             // BINGET
        case 'j': stack_.push_back(memo_get(le<uint32_t>(4))); break;  // LONG_BINGET
        case 'c': {                                                    // GLOBAL "module\nname\n"
          std::string module = line(), name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop();
          auto module = pop();
          push_global(module->s + "." + name->s);
          break;
        }
        case 'Q': {  // BINPERSID
          auto pid = pop();
          if (!hooks_.persistent_load) fail("persistent id without a loader");
          stack_.push_back(hooks_.persistent_load(pid));
          break;
        }
        case 'R':     // REDUCE
        case 0x81: {  // NEWOBJ
          auto args = pop();
          auto callable = pop();
          stack_.push_back(call(callable, args));
          break;
        }
        case 'b': {  // BUILD: set state on an object; state of containers/opaque objects is not needed
          pop();
          break;
        }
        default: {
          std::ostringstream o;
          o << "unsupported pickle opcode 0x" << std::hex << static_cast<int>(op);
          fail(o.str());
        }
      }
    }
  }

 private:
  const char* p_;
  const char* end_;
  const UnpicklerHooks& hooks_;
  int protocol_ = 0;
  std::vector<PyRef> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyRef> memo_;

  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error("pickle: " + what); }

  uint8_t u8() {
    if (p_ >= end_) fail("truncated data");
    return static_cast<uint8_t>(*p_++);
  }
  void skip(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated data");
    p_ += n;
  }
  template <typename T>
  T le(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated data");
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[k])) << (8 * k);
    p_ += n;
    return static_cast<T>(v);
  }
  std::string line() {
    const char* nl = static_cast<const char*>(std::memchr(p_, '\n', static_cast<size_t>(end_ - p_)));
    if (!nl) fail("unterminated GLOBAL");
    std::string s(p_, nl);
    p_ = nl + 1;
    return s;
  }
  PyRef pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  const PyRef& top() const {
    if (stack_.empty()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<PyRef> pop_mark() {
    if (marks_.empty()) fail("MARK expected");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PyRef> out(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return out;
  }
  PyRef memo_get(uint64_t k) const {
    auto it = memo_.find(k);
    if (it == memo_.end()) fail("memo key " + std::to_string(k) + " not found");
    return it->second;
  }
  PyRef expect_container(const PyRef& o, PyObj::Kind k, const char* op) const {
    if (o->kind != k) fail(std::string(op) + " on a " + o->repr());
    return o;
  }
  void push_bool(bool b) {
    auto o = PyObj::make(PyObj::Kind::Bool);
    o->i = b;
    stack_.push_back(o);
  }
  void push_int(int64_t v) {
    auto o = PyObj::make(PyObj::Kind::Int);
    o->i = v;
    stack_.push_back(o);
  }
  void push_long(uint64_t nbytes) {
    // Two's complement little endian; values beyond int64 never occur in checkpoints we read.
    if (nbytes > 8) {
      skip(nbytes);
      push_int(0);
      return;
    }
    uint64_t v = 0;
    for (uint64_t k = 0; k < nbytes; ++k) v |= static_cast<uint64_t>(u8()) << (8 * k);
    if (nbytes > 0 && nbytes < 8 && (v >> (8 * nbytes - 1)) & 1) v |= ~uint64_t{0} << (8 * nbytes);
    push_int(static_cast<int64_t>(v));
  }
  void push_str(PyObj::Kind kind, uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) fail("truncated string");
    auto o = PyObj::make(kind);
    o->s.assign(p_, static_cast<size_t>(n));
    p_ += n;
    stack_.push_back(o);
  }
  void push_tuple(size_t n) {
    auto t = PyObj::make(PyObj::Kind::Tuple);
    t->items.resize(n);
    for (size_t k = n; k-- > 0;) t->items[k] = pop();
    stack_.push_back(t);
  }
  void push_global(const std::string& name) {
    auto g = PyObj::make(PyObj::Kind::Global);
    g->s = name;
    stack_.push_back(g);
  }
  PyRef call(const PyRef& callable, const PyRef& args) {
    if (callable->kind != PyObj::Kind::Global) fail("call of a non-class object " + callable->repr());
    if (hooks_.call) {
      if (PyRef r = hooks_.call(callable->s, args)) return r;
    }
    const std::string& g = callable->s;
    if (g == "collections.OrderedDict" || g == "builtins.dict" || g == "__builtin__.dict") {
      auto d = PyObj::make(PyObj::Kind::Dict);
      // OrderedDict([(k, v), ...]) form
      if (!args->items.empty() && args->items[0]->kind == PyObj::Kind::List)
        for (const auto& kv : args->items[0]->items)
          if (kv->items.size() == 2) d->dict.emplace_back(kv->items[0], kv->items[1]);
      return d;
    }
    if (g == "builtins.set" || g == "builtins.list" || g == "__builtin__.set") {
      auto l = PyObj::make(PyObj::Kind::List);
      if (!args->items.empty()) l->items = args->items[0]->items;
      return l;
    }
    auto o = PyObj::make(PyObj::Kind::Opaque);
    o->s = g;
    return o;
  }
};

}  // namespace

PyRef unpickle(const char* data, size_t size, const UnpicklerHooks& hooks, int* protocol) {
  return Unpickler(data, size, hooks).run(protocol);
}

}  // namespace sinsr::io
