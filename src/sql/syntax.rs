//! The one SQL parser (squawk-syntax: PostgreSQL's grammar, lossless, with byte ranges and
//! error recovery) and the small vocabulary the rest of `sql` reads the tree with: names,
//! child lookups, spans.

use squawk_syntax::ast::{self, AstNode};
pub use squawk_syntax::{SyntaxKind, SyntaxNode, SyntaxToken};

use crate::source::Span;

/// One parsed statement of a file.
#[derive(Debug, Clone)]
pub struct Statement {
    pub stmt: ast::Stmt,
    /// From its first keyword through its `;`, in the file's bytes.
    pub span: Span,
    /// A parse error inside it: rules skip it rather than guess.
    pub broken: bool,
}

impl Statement {
    pub fn node(&self) -> &SyntaxNode {
        self.stmt.syntax()
    }
}

/// A syntax error, at a byte offset of the file.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Parses a whole file: its statements in order, and its syntax errors.
pub fn parse(text: &str) -> (Vec<Statement>, Vec<ParseError>) {
    parse_green(text).statements()
}

/// A file parsed on any thread: rowan's syntax nodes are not `Send`, its green tree is.
/// Files are parsed side by side (`sql::read`) and walked on the thread that checks them.
pub struct Parsed {
    parse: squawk_syntax::Parse<squawk_syntax::SourceFile>,
    errors: Vec<ParseError>,
    /// Per statement (empty ones left out), whether it holds a syntax error: found while
    /// parsing, since it walks every node.
    broken: Vec<bool>,
}

/// The statements of a parsed file, empty ones left out.
fn statement_nodes(
    parse: &squawk_syntax::Parse<squawk_syntax::SourceFile>,
) -> impl Iterator<Item = ast::Stmt> {
    parse
        .tree()
        .stmts()
        .filter(|stmt| !matches!(stmt, ast::Stmt::EmptyStmt(_)))
}

/// Parses `text` into its green tree, syntax errors and broken statements: everything of
/// `parse` but handing out the statements' nodes.
pub fn parse_green(text: &str) -> Parsed {
    let parse = squawk_syntax::SourceFile::parse(text);
    let errors: Vec<ParseError> = parse
        .errors()
        .into_iter()
        .map(|e| ParseError {
            offset: usize::from(e.range().start()),
            message: e.message().to_string(),
        })
        .collect();
    let broken = statement_nodes(&parse)
        .map(|stmt| {
            let span = span_of(stmt.syntax());
            errors.iter().any(|e| {
                e.offset >= span.start as usize && e.offset < span.end.max(span.start + 1) as usize
            }) || stmt
                .syntax()
                .descendants()
                .any(|n| n.kind() == SyntaxKind::ERROR)
        })
        .collect();
    Parsed {
        parse,
        errors,
        broken,
    }
}

impl Parsed {
    /// The statements in order (their nodes live on the calling thread), and the syntax
    /// errors.
    pub fn statements(self) -> (Vec<Statement>, Vec<ParseError>) {
        let statements = statement_nodes(&self.parse)
            .zip(self.broken)
            .map(|(stmt, broken)| Statement {
                span: span_of(stmt.syntax()),
                stmt,
                broken,
            })
            .collect();
        (statements, self.errors)
    }
}

pub fn span_of(node: &SyntaxNode) -> Span {
    let range = node.text_range();
    Span::new(usize::from(range.start()), usize::from(range.end()))
}

pub fn token_span(token: &SyntaxToken) -> Span {
    let range = token.text_range();
    Span::new(usize::from(range.start()), usize::from(range.end()))
}

/// The direct child node of `kind`.
pub fn child(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxNode> {
    node.children().find(|c| c.kind() == kind)
}

/// Direct child nodes of `kind`.
pub fn children(node: &SyntaxNode, kind: SyntaxKind) -> impl Iterator<Item = SyntaxNode> {
    node.children().filter(move |c| c.kind() == kind)
}

/// The first descendant (or the node itself) of `kind`.
pub fn descendant(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxNode> {
    node.descendants().find(|c| c.kind() == kind)
}

/// True when a direct child token is `kind` (a keyword such as `CONCURRENTLY_KW`).
pub fn has_token(node: &SyntaxNode, kind: SyntaxKind) -> bool {
    node.children_with_tokens()
        .any(|c| c.as_token().is_some_and(|t| t.kind() == kind))
}

/// Whether a token anywhere under `node` contains `needle` (ASCII case ignored): a cheap
/// test before copying a statement's whole text.
pub fn mentions(node: &SyntaxNode, needle: &str) -> bool {
    node.descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .any(|token| {
            token
                .text()
                .as_bytes()
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
        })
}

pub fn token(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
    node.children_with_tokens()
        .filter_map(|c| c.into_token())
        .find(|t| t.kind() == kind)
}

/// A relation (or index, or type) name as PostgreSQL resolves it: unquoted identifiers fold
/// to lower case, quoted ones keep their case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub fn new(schema: Option<&str>, name: &str) -> Name {
        Name {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        }
    }

    /// Same relation, as far as the text can tell: an unqualified name matches any schema.
    pub fn matches(&self, other: &Name) -> bool {
        self.name == other.name
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{}.", quote_ident(schema))?;
        }
        f.write_str(&quote_ident(&self.name))
    }
}

/// An identifier as SQL would need it written.
pub fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Folds one identifier token's text: `"Orders"` → `Orders`, `Orders` → `orders`.
pub fn ident_text(text: &str) -> String {
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        inner.replace("\"\"", "\"")
    } else if let Some(rest) = text.strip_prefix("U&\"") {
        rest.trim_end_matches('"').to_string()
    } else {
        text.to_lowercase()
    }
}

/// The segments of the first path (`a`, `s.a`) at or under `node`, folded.
pub fn path_segments(node: &SyntaxNode) -> Vec<String> {
    let Some(path) = node
        .descendants()
        .find(|n| matches!(n.kind(), SyntaxKind::PATH | SyntaxKind::PATH_REF))
    else {
        return single_name(node).into_iter().collect();
    };
    path.descendants()
        .filter(|n| {
            matches!(
                n.kind(),
                SyntaxKind::PATH_SEGMENT | SyntaxKind::PATH_SEGMENT_REF
            )
        })
        .filter_map(|segment| first_word(&segment))
        .collect()
}

/// A name node without a path (`COLUMN_NAME`, `NAME_REF`, `CONSTRAINT_NAME`): its word.
pub fn single_name(node: &SyntaxNode) -> Option<String> {
    first_word(node)
}

fn first_word(node: &SyntaxNode) -> Option<String> {
    node.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .find(|t| !t.kind().is_trivia() && t.kind() != SyntaxKind::DOT)
        .map(|t| ident_text(t.text()))
}

/// The relation name at or under `node` (`s.t` → schema `s`, name `t`).
pub fn name_of(node: &SyntaxNode) -> Option<Name> {
    let mut segments = path_segments(node);
    let name = segments.pop()?;
    Some(Name {
        schema: segments.pop(),
        name,
    })
}

/// The source text of a node with runs of white space folded, for messages.
pub fn compact_text(node: &SyntaxNode) -> String {
    node.text()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A type as written in a column definition or `ALTER COLUMN … TYPE`, canonicalised so
/// `character varying(20)`, `varchar(20)` and `VARCHAR (20)` compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// PostgreSQL's internal name where it has one (`int4`, `varchar`, `timestamptz`).
    pub base: String,
    /// Type modifiers: `varchar(20)` → `[20]`, `numeric(10,2)` → `[10, 2]`.
    pub modifiers: Vec<i64>,
    pub array: bool,
    /// The text as written, for messages.
    pub written: String,
}

/// Node kinds that are a type.
pub fn is_type_kind(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::PATH_TYPE
            | SyntaxKind::VARCHAR_TYPE
            | SyntaxKind::CHARACTER_TYPE
            | SyntaxKind::BIT_VARYING_TYPE
            | SyntaxKind::BIT_TYPE
            | SyntaxKind::DOUBLE_TYPE
            | SyntaxKind::TIMESTAMP_TYPE
            | SyntaxKind::TIME_TYPE
            | SyntaxKind::INTERVAL_TYPE
            | SyntaxKind::ARRAY_TYPE
            | SyntaxKind::PERCENT_TYPE
    )
}

/// The first type node directly under `node`.
pub fn type_child(node: &SyntaxNode) -> Option<SyntaxNode> {
    node.children().find(|c| is_type_kind(c.kind()))
}

pub fn type_name(node: &SyntaxNode) -> TypeName {
    let written = compact_text(node);
    let (inner, array) = if node.kind() == SyntaxKind::ARRAY_TYPE {
        (
            node.children()
                .find(|c| is_type_kind(c.kind()))
                .unwrap_or_else(|| node.clone()),
            true,
        )
    } else {
        (
            node.clone(),
            written.ends_with(']') || written.to_lowercase().contains(" array"),
        )
    };
    let modifiers: Vec<i64> = child(&inner, SyntaxKind::ARG_LIST)
        .map(|list| {
            list.descendants_with_tokens()
                .filter_map(|e| e.into_token())
                .filter(|t| t.kind() == SyntaxKind::INT_NUMBER)
                .filter_map(|t| t.text().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    // The words before any modifier list, folded: `character varying`, `double precision`,
    // `timestamp with time zone`, `pg_catalog.int4`.
    let mut words: Vec<String> = Vec::new();
    for element in inner.descendants_with_tokens() {
        if let Some(token) = element.as_token() {
            if token
                .parent_ancestors()
                .any(|a| a.kind() == SyntaxKind::ARG_LIST)
            {
                continue;
            }
            if token.kind().is_trivia() || token.kind() == SyntaxKind::DOT {
                continue;
            }
            if matches!(
                token.kind(),
                SyntaxKind::L_BRACK | SyntaxKind::R_BRACK | SyntaxKind::INT_NUMBER
            ) {
                continue;
            }
            words.push(ident_text(token.text()));
        }
    }
    if words.first().is_some_and(|w| w == "pg_catalog") {
        words.remove(0);
    }
    let phrase = words.join(" ");
    let base = canonical_type(&phrase).unwrap_or(phrase);
    TypeName {
        base,
        modifiers,
        array,
        written,
    }
}

/// PostgreSQL's internal name of a built-in type's SQL spelling.
fn canonical_type(phrase: &str) -> Option<String> {
    let canonical = match phrase {
        "int" | "integer" | "int4" => "int4",
        "smallint" | "int2" => "int2",
        "bigint" | "int8" => "int8",
        "serial" | "serial4" => "serial4",
        "bigserial" | "serial8" => "serial8",
        "smallserial" | "serial2" => "serial2",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" => "float8",
        "decimal" | "numeric" => "numeric",
        "character varying" | "char varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "text" => "text",
        "boolean" | "bool" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "timetz" | "time with time zone" => "timetz",
        "bit varying" | "varbit" => "varbit",
        "bit" => "bit",
        _ => return None,
    };
    Some(canonical.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Statement {
        parse(text).0.remove(0)
    }

    #[test]
    fn mentions_looks_inside_every_token_ignoring_case() {
        let call = first("SELECT SET_CONFIG('lock_timeout', '2s', false);");
        assert!(mentions(call.node(), "set_config"));
        assert!(mentions(call.node(), "lock_timeout"));
        assert!(!mentions(first("SELECT 1;").node(), "set_config"));
        // A needle longer than every token.
        assert!(!mentions(
            first("SELECT 1;").node(),
            "a_longer_needle_than_any"
        ));
    }

    #[test]
    fn names_fold_like_postgresql() {
        let stmt = first("ALTER TABLE Shop.\"Orders\" ADD COLUMN x int;");
        let relation = child(stmt.node(), SyntaxKind::TABLE_RELATION_NAME).unwrap();
        assert_eq!(name_of(&relation), Some(Name::new(Some("shop"), "Orders")));
        assert_eq!(
            Name::new(Some("shop"), "Orders").to_string(),
            "shop.\"Orders\""
        );
    }

    #[test]
    fn types_are_canonical() {
        let stmt = first(
            "alter table t alter a type character varying(20), alter b type NUMERIC(10, 2), \
             alter c type timestamp with time zone, alter d type int[];",
        );
        let types: Vec<TypeName> = stmt
            .node()
            .descendants()
            .filter(|n| n.kind() == SyntaxKind::SET_TYPE)
            .map(|n| type_name(&type_child(&n).unwrap()))
            .collect();
        assert_eq!(
            (types[0].base.as_str(), types[0].modifiers.as_slice()),
            ("varchar", &[20][..])
        );
        assert_eq!(
            (types[1].base.as_str(), types[1].modifiers.as_slice()),
            ("numeric", &[10, 2][..])
        );
        assert_eq!(types[2].base, "timestamptz");
        assert!(types[3].array && types[3].base == "int4");
    }

    #[test]
    fn a_broken_statement_is_marked_and_the_rest_parse() {
        let (statements, errors) = parse("create index on;\nalter table t drop column a;\n");
        assert!(!errors.is_empty());
        assert!(statements[0].broken);
        assert!(!statements.last().unwrap().broken);
    }
}
