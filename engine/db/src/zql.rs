//! ZStack's ZQL, the subset clients use: `query <entity>[.<field>,...]
//! [where <cond> [and <cond>]...] [order by <field> [asc|desc]] [limit n]
//! [offset n]` and `count <entity> [where ...]`. Conditions become the same
//! `Condition`s as `q=` and go through the same compiler (bound parameters).

use crate::query::{Condition, Op, QueryOptions};
use zstack_kit::{ApiError, ApiResult};

#[derive(Debug, Clone, PartialEq)]
pub struct ZqlQuery {
    pub count: bool,
    pub entity: String,
    pub fields: Vec<String>,
    pub conditions: Vec<Condition>,
    pub options: QueryOptions,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(&'static str),
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_argument(format!("invalid ZQL: {}", msg.into()))
}

fn lex(src: &str) -> ApiResult<Vec<Tok>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            let quote = c;
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad("unterminated string")),
                    Some(&ch) if ch == quote => {
                        // A doubled quote is a quote inside the string.
                        if chars.get(i + 1) == Some(&quote) {
                            s.push(quote);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if let Some(sym) = ["!=", ">=", "<=", "=", ">", "<", "(", ")", ","].iter().find(|s| chars[i..].starts_with(&s.chars().collect::<Vec<_>>())) {
            out.push(Tok::Sym(sym));
            i += sym.len();
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == ':' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-' | ':')) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            return Err(bad(format!("unexpected character [{c}]")));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let hit = self.peek_word(w);
        if hit {
            self.at += 1;
        }
        hit
    }
    fn expect_word(&mut self, w: &str) -> ApiResult<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(bad(format!("expected [{w}]")))
        }
    }
    fn word(&mut self, what: &str) -> ApiResult<String> {
        match self.toks.get(self.at) {
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(w.clone())
            }
            _ => Err(bad(format!("expected {what}"))),
        }
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        let hit = matches!(self.toks.get(self.at), Some(Tok::Sym(x)) if *x == s);
        if hit {
            self.at += 1;
        }
        hit
    }
    fn value(&mut self) -> ApiResult<String> {
        match self.toks.get(self.at) {
            Some(Tok::Str(s)) | Some(Tok::Word(s)) => {
                let v = s.clone();
                self.at += 1;
                Ok(v)
            }
            _ => Err(bad("expected a value")),
        }
    }
    fn number(&mut self, what: &str) -> ApiResult<u64> {
        self.word(what)?.parse().map_err(|_| bad(format!("{what} must be a whole number")))
    }

    fn condition(&mut self) -> ApiResult<Condition> {
        let name = self.word("a field name")?;
        if self.eat_word("is") {
            let negated = self.eat_word("not");
            self.expect_word("null")?;
            return Ok(Condition { name, op: if negated { Op::NotNull } else { Op::IsNull }, value: None });
        }
        let negated = self.eat_word("not");
        if self.eat_word("in") {
            if !self.eat_sym("(") {
                return Err(bad("expected ( after in"));
            }
            let mut values = vec![self.value()?];
            while self.eat_sym(",") {
                values.push(self.value()?);
            }
            if !self.eat_sym(")") {
                return Err(bad("expected ) to close the in list"));
            }
            return Ok(Condition { name, op: if negated { Op::NotIn } else { Op::In }, value: Some(values.join(",")) });
        }
        if self.eat_word("like") {
            return Ok(Condition { name, op: if negated { Op::NotLike } else { Op::Like }, value: Some(self.value()?) });
        }
        if negated {
            return Err(bad("expected in or like after not"));
        }
        let op = match self.toks.get(self.at) {
            Some(Tok::Sym("=")) => Op::Eq,
            Some(Tok::Sym("!=")) => Op::Ne,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            _ => return Err(bad(format!("expected an operator after [{name}]"))),
        };
        self.at += 1;
        Ok(Condition { name, op, value: Some(self.value()?) })
    }
}

pub fn parse(src: &str) -> ApiResult<ZqlQuery> {
    let mut p = Parser { toks: lex(src)?, at: 0 };
    let count = if p.eat_word("count") {
        true
    } else if p.eat_word("query") {
        false
    } else {
        return Err(bad("a statement starts with query or count"));
    };
    let target = p.word("an entity")?;
    let (entity, first_field) = match target.split_once('.') {
        Some((e, f)) => (e.to_ascii_lowercase(), Some(f.to_string())),
        None => (target.to_ascii_lowercase(), None),
    };
    let mut fields: Vec<String> = first_field.into_iter().collect();
    while !fields.is_empty() && p.eat_sym(",") {
        fields.push(p.word("a field name")?);
    }
    let mut q = ZqlQuery { count, entity, fields, conditions: vec![], options: QueryOptions::default() };
    if p.eat_word("where") {
        q.conditions.push(p.condition()?);
        loop {
            if p.eat_word("and") {
                q.conditions.push(p.condition()?);
            } else if p.peek_word("or") {
                return Err(bad("or is not supported; use in (...)"));
            } else {
                break;
            }
        }
    }
    if p.eat_word("order") {
        p.expect_word("by")?;
        let field = p.word("a field to order by")?;
        let asc = !p.eat_word("desc");
        p.eat_word("asc");
        q.options.sort = Some((field, asc));
    }
    if p.eat_word("limit") {
        q.options.limit = Some(p.number("limit")?);
    }
    if p.eat_word("offset") {
        q.options.start = Some(p.number("offset")?);
    }
    if p.at != p.toks.len() {
        return Err(bad(format!("unexpected text after the statement: {:?}", &p.toks[p.at..])));
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse_into_conditions() {
        let q = parse("query vminstance where state='Running' and cpuNum >= 2 and vmNics.ip in ('10.0.0.1', '10.0.0.2') order by createDate desc limit 10 offset 5").unwrap();
        assert_eq!(q.entity, "vminstance");
        assert!(!q.count);
        assert_eq!(q.conditions.len(), 3);
        assert_eq!(q.conditions[0], Condition { name: "state".into(), op: Op::Eq, value: Some("Running".into()) });
        assert_eq!(q.conditions[1].op, Op::Ge);
        assert_eq!(q.conditions[2], Condition { name: "vmNics.ip".into(), op: Op::In, value: Some("10.0.0.1,10.0.0.2".into()) });
        assert_eq!(q.options.sort, Some(("createDate".into(), false)));
        assert_eq!((q.options.limit, q.options.start), (Some(10), Some(5)));
        let c = parse("count host where name like 'h%' and hostUuid is not null").unwrap();
        assert!(c.count);
        assert_eq!(c.conditions[1].op, Op::NotNull);
        let f = parse("query zone.uuid,name").unwrap();
        assert_eq!(f.fields, vec!["uuid", "name"]);
        assert_eq!(parse("query zone where name = 'it''s'").unwrap().conditions[0].value.as_deref(), Some("it's"));
    }

    #[test]
    fn bad_statements_are_invalid_arguments() {
        for bad in ["select * from vm", "query", "query vm where", "query vm where a ~ 1", "query vm where a = 1 or b = 2", "query vm limit x", "query vm where name = 'open", "query vm junk"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, "SYS.1007", "{bad}");
        }
    }
}
