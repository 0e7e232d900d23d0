#include "graphql/parser.hpp"

#include <utility>

#include "graphql/error.hpp"
#include "graphql/lexer.hpp"

namespace sextant::graphql {

std::string TypeRef::to_string() const {
  switch (kind) {
    case Kind::Named: return name;
    case Kind::List: return "[" + of->to_string() + "]";
    case Kind::NonNull: return of->to_string() + "!";
  }
  return name;
}

const std::string& TypeRef::base_name() const { return kind == Kind::Named ? name : of->base_name(); }

std::shared_ptr<const TypeRef> named_type(std::string name) {
  auto t = std::make_shared<TypeRef>();
  t->name = std::move(name);
  return t;
}
std::shared_ptr<const TypeRef> list_type(std::shared_ptr<const TypeRef> of) {
  auto t = std::make_shared<TypeRef>();
  t->kind = TypeRef::Kind::List;
  t->of = std::move(of);
  return t;
}
std::shared_ptr<const TypeRef> non_null_type(std::shared_ptr<const TypeRef> of) {
  auto t = std::make_shared<TypeRef>();
  t->kind = TypeRef::Kind::NonNull;
  t->of = std::move(of);
  return t;
}

namespace {

class Parser {
 public:
  Parser(std::string_view source, const ParseLimits& limits) : lexer_(source), limits_(limits) { advance(); }

  Document document() {
    Document doc;
    if (tok_.kind == Token::Kind::End) unexpected();
    while (tok_.kind != Token::Kind::End) {
      if (doc.operations.size() + doc.fragments.size() >= limits_.max_definitions)
        throw GraphqlError("Query exceeds maximum of " + std::to_string(limits_.max_definitions) + " definitions");
      if (is_punct("{")) {
        Operation op;
        op.selections = selection_set();
        doc.operations.push_back(std::move(op));
      } else if (tok_.kind == Token::Kind::Name &&
                 (tok_.text == "query" || tok_.text == "mutation" || tok_.text == "subscription")) {
        doc.operations.push_back(operation());
      } else if (tok_.kind == Token::Kind::Name && tok_.text == "fragment") {
        doc.fragments.push_back(fragment());
      } else {
        unexpected();
      }
    }
    return doc;
  }

 private:
  struct Nest {  // counts one nesting level for its lifetime
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth_ > p.limits_.max_nesting)
        throw GraphqlError("Query exceeds maximum nesting of " + std::to_string(p.limits_.max_nesting) + " levels");
    }
    ~Nest() { --p.depth_; }
  };

  void advance() {
    if (++tokens_ > limits_.max_tokens)
      throw GraphqlError("Query exceeds maximum of " + std::to_string(limits_.max_tokens) + " tokens");
    tok_ = lexer_.next();
  }
  bool is_punct(std::string_view p) const { return tok_.kind == Token::Kind::Punctuator && tok_.text == p; }
  [[noreturn]] void unexpected() const { throw GraphqlError("Syntax Error: Unexpected " + tok_.describe() + "."); }
  void expect(std::string_view p) {
    if (!is_punct(p)) throw GraphqlError("Syntax Error: Expected '" + std::string(p) + "', found " + tok_.describe() + ".");
    advance();
  }
  std::string name() {
    if (tok_.kind != Token::Kind::Name) throw GraphqlError("Syntax Error: Expected Name, found " + tok_.describe() + ".");
    std::string n = std::move(tok_.text);
    advance();
    return n;
  }

  Operation operation() {
    Operation op;
    op.type = name();
    if (tok_.kind == Token::Kind::Name) op.name = name();
    if (is_punct("(")) {
      advance();
      do {
        VariableDefinition v;
        expect("$");
        v.name = name();
        expect(":");
        v.type = type();
        if (is_punct("=")) {
          advance();
          v.default_value = value(true);
        }
        directives(true);  // variable directives are parsed and ignored (none is known)
        op.variables.push_back(std::move(v));
      } while (!is_punct(")"));
      advance();
    }
    op.directives = directives(false);
    op.selections = selection_set();
    return op;
  }

  Fragment fragment() {
    advance();  // "fragment"
    Fragment f;
    if (tok_.kind == Token::Kind::Name && tok_.text == "on") unexpected();
    f.name = name();
    if (tok_.kind != Token::Kind::Name || tok_.text != "on")
      throw GraphqlError("Syntax Error: Expected \"on\", found " + tok_.describe() + ".");
    advance();
    f.type_condition = name();
    f.directives = directives(false);
    f.selections = selection_set();
    return f;
  }

  std::vector<Selection> selection_set() {
    Nest nest(*this);
    expect("{");
    std::vector<Selection> out;
    do {
      out.push_back(selection());
    } while (!is_punct("}"));
    advance();
    return out;
  }

  Selection selection() {
    Selection s;
    if (is_punct("...")) {
      advance();
      if (tok_.kind == Token::Kind::Name && tok_.text != "on") {
        s.kind = Selection::Kind::FragmentSpread;
        s.name = name();
        s.directives = directives(false);
        return s;
      }
      s.kind = Selection::Kind::InlineFragment;
      if (tok_.kind == Token::Kind::Name) {  // "on"
        advance();
        s.type_condition = name();
      }
      s.directives = directives(false);
      s.has_selection_set = true;
      s.selections = selection_set();
      return s;
    }
    s.name = name();
    if (is_punct(":")) {
      advance();
      s.alias = std::move(s.name);
      s.name = name();
    }
    s.arguments = arguments(false);
    s.directives = directives(false);
    if (is_punct("{")) {
      s.has_selection_set = true;
      s.selections = selection_set();
    }
    return s;
  }

  std::vector<Argument> arguments(bool constant) {
    std::vector<Argument> out;
    if (!is_punct("(")) return out;
    advance();
    do {
      Argument a;
      a.name = name();
      expect(":");
      a.value = value(constant);
      out.push_back(std::move(a));
    } while (!is_punct(")"));
    advance();
    return out;
  }

  std::vector<Directive> directives(bool constant) {
    std::vector<Directive> out;
    while (is_punct("@")) {
      advance();
      Directive d;
      d.name = name();
      d.arguments = arguments(constant);
      out.push_back(std::move(d));
    }
    return out;
  }

  Value value(bool constant) {
    Value v;
    switch (tok_.kind) {
      case Token::Kind::Int: v.kind = Value::Kind::Int; break;
      case Token::Kind::Float: v.kind = Value::Kind::Float; break;
      case Token::Kind::String:
      case Token::Kind::BlockString: v.kind = Value::Kind::String; break;
      case Token::Kind::Name:
        if (tok_.text == "true" || tok_.text == "false") {
          v.kind = Value::Kind::Boolean;
        } else if (tok_.text == "null") {
          v.kind = Value::Kind::Null;
        } else {
          v.kind = Value::Kind::Enum;
        }
        break;
      case Token::Kind::Punctuator:
        if (is_punct("$") && !constant) {
          advance();
          v.kind = Value::Kind::Variable;
          v.text = name();
          return v;
        }
        if (is_punct("[")) {
          Nest nest(*this);
          advance();
          v.kind = Value::Kind::List;
          while (!is_punct("]")) {
            if (tok_.kind == Token::Kind::End) unexpected();
            v.items.push_back(value(constant));
          }
          advance();
          return v;
        }
        if (is_punct("{")) {
          Nest nest(*this);
          advance();
          v.kind = Value::Kind::Object;
          while (!is_punct("}")) {
            v.keys.push_back(name());
            expect(":");
            v.items.push_back(value(constant));
          }
          advance();
          return v;
        }
        unexpected();
      case Token::Kind::End: unexpected();
    }
    v.text = std::move(tok_.text);
    advance();
    return v;
  }

  std::shared_ptr<const TypeRef> type() {
    Nest nest(*this);
    std::shared_ptr<const TypeRef> t;
    if (is_punct("[")) {
      advance();
      t = list_type(type());
      expect("]");
    } else {
      t = named_type(name());
    }
    if (is_punct("!")) {
      advance();
      t = non_null_type(std::move(t));
    }
    return t;
  }

  Lexer lexer_;
  const ParseLimits& limits_;
  Token tok_;
  std::size_t tokens_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace

Document parse(std::string_view source, const ParseLimits& limits) {
  if (source.size() > limits.max_length)
    throw GraphqlError("Query exceeds maximum length of " + std::to_string(limits.max_length) + " bytes");
  return Parser(source, limits).document();
}

}  // namespace sextant::graphql
