//! Collecting every item of a paged Describe* action, in both of Alibaba Cloud's styles:
//! PageNumber/PageSize with TotalCount, and NextToken/MaxResults.
//!
//! Both stop on their own even when the service misbehaves (an empty page, a TotalCount
//! that never gets reached, a NextToken that repeats), so a listing can never spin forever.

use std::future::Future;

use crate::error::AliyunError;

/// Upper bound on pages fetched by one listing (10^4 pages of 100 = 10^6 items).
pub const MAX_PAGES: u32 = 10_000;

/// One page of a PageNumber/PageSize listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: i64,
}

/// One page of a NextToken listing; an empty or missing token means "last page".
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPage<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Fetches pages 1, 2, ... of `page_size` until TotalCount items are collected, a page
/// comes back short or empty, or [`MAX_PAGES`] is reached.
pub async fn paginate_pages<T, F, Fut>(page_size: u32, mut fetch: F) -> Result<Vec<T>, AliyunError>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, AliyunError>>,
{
    let page_size = page_size.max(1);
    let mut all = Vec::new();
    for page_number in 1..=MAX_PAGES {
        let page = fetch(page_number, page_size).await?;
        let received = page.items.len();
        all.extend(page.items);
        if received == 0 || received < page_size as usize || all.len() as i64 >= page.total_count {
            break;
        }
    }
    Ok(all)
}

/// Follows NextToken from the first page (no token) until the service returns none,
/// repeats a token, or [`MAX_PAGES`] is reached.
pub async fn paginate_token<T, F, Fut>(
    max_results: u32,
    mut fetch: F,
) -> Result<Vec<T>, AliyunError>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<TokenPage<T>, AliyunError>>,
{
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = fetch(token.clone(), max_results).await?;
        all.extend(page.items);
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(next) if Some(&next) != token.as_ref() => token = Some(next),
            _ => break,
        }
    }
    Ok(all)
}

/// A PageNumber/PageSize answer: the action that gives it, its items and TotalCount.
pub(crate) trait PagedAnswer: serde::de::DeserializeOwned {
    const ACTION: &'static str;
    type Item;
    fn into_page(self) -> Page<Self::Item>;
}

/// `paged!(Answer = "Action" => items_field: Item, ...)` implements [`PagedAnswer`].
macro_rules! paged {
    ($($answer:ty = $action:literal => $field:ident : $item:ty),* $(,)?) => {
        $(impl $crate::paging::PagedAnswer for $answer {
            const ACTION: &'static str = $action;
            type Item = $item;
            fn into_page(self) -> $crate::paging::Page<$item> {
                $crate::paging::Page { items: self.$field, total_count: self.total_count }
            }
        })*
    };
}
pub(crate) use paged;

/// A request of a NextToken listing: its filters, with the paging fields set per page.
pub(crate) trait TokenRequest: Clone {
    type Answer;
    type Item;
    fn at_token(&self, token: Option<String>, max_results: u32) -> Self;
    fn into_token_page(answer: Self::Answer) -> TokenPage<Self::Item>;
}

/// `token_paged!(Request => Answer { items_field: Item }, ...)` implements [`TokenRequest`]
/// for a request with `next_token`, `max_results`, `page_number` and `page_size` fields.
macro_rules! token_paged {
    ($($request:ty => $answer:ty { $field:ident : $item:ty }),* $(,)?) => {
        $(impl $crate::paging::TokenRequest for $request {
            type Answer = $answer;
            type Item = $item;
            fn at_token(&self, token: Option<String>, max_results: u32) -> Self {
                Self { next_token: token, max_results: Some(max_results), page_number: None, page_size: None, ..self.clone() }
            }
            fn into_token_page(answer: $answer) -> $crate::paging::TokenPage<$item> {
                $crate::paging::TokenPage { items: answer.$field, next_token: Some(answer.next_token) }
            }
        })*
    };
}
pub(crate) use token_paged;

/// Every item of a PageNumber/PageSize listing; `fetch(number, size)` asks for one page.
pub(crate) async fn all_pages<A, F, Fut>(page_size: u32, mut fetch: F) -> Result<Vec<A::Item>, AliyunError>
where
    A: PagedAnswer,
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<A, AliyunError>>,
{
    paginate_pages(page_size, |number, size| {
        let answer = fetch(number, size);
        async move { Ok(answer.await?.into_page()) }
    })
    .await
}

/// Every item matching `filter` of a NextToken listing; `fetch` asks for one page.
pub(crate) async fn all_tokens<Q, F, Fut>(max_results: u32, filter: &Q, mut fetch: F) -> Result<Vec<Q::Item>, AliyunError>
where
    Q: TokenRequest,
    F: FnMut(Q) -> Fut,
    Fut: Future<Output = Result<Q::Answer, AliyunError>>,
{
    paginate_token(max_results, |token, max| {
        let answer = fetch(filter.at_token(token, max));
        async move { Ok(Q::into_token_page(answer.await?)) }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn pages_until_total_count_reached() {
        let items: Vec<u32> = (0..23).collect();
        let calls = RefCell::new(Vec::new());
        let all = block_on(paginate_pages(10, |n, size| {
            calls.borrow_mut().push((n, size));
            let start = ((n - 1) * size) as usize;
            let page = items[start.min(23)..(start + size as usize).min(23)].to_vec();
            async move {
                Ok(Page {
                    items: page,
                    total_count: 23,
                })
            }
        }))
        .unwrap();
        assert_eq!(all, items);
        assert_eq!(*calls.borrow(), vec![(1, 10), (2, 10), (3, 10)]);
    }

    #[test]
    fn pages_stop_on_an_empty_page_even_if_total_count_lies() {
        let calls = RefCell::new(0);
        let all = block_on(paginate_pages(5, |n, _| {
            *calls.borrow_mut() += 1;
            let items = if n == 1 { vec![1, 2, 3, 4, 5] } else { vec![] };
            async move {
                Ok(Page {
                    items,
                    total_count: 1000,
                })
            }
        }))
        .unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(*calls.borrow(), 2);
    }

    #[test]
    fn token_paging_follows_tokens_and_stops_on_a_repeated_one() {
        let seen = RefCell::new(Vec::new());
        let all = block_on(paginate_token(2, |token, _| {
            seen.borrow_mut().push(token.clone());
            let (items, next) = match token.as_deref() {
                None => (vec!["a", "b"], Some("t1".to_string())),
                Some("t1") => (vec!["c", "d"], Some("t2".to_string())),
                _ => (vec!["e"], Some("t2".to_string())), // a buggy service repeating its token
            };
            async move {
                Ok(TokenPage {
                    items,
                    next_token: next,
                })
            }
        }))
        .unwrap();
        assert_eq!(all, vec!["a", "b", "c", "d", "e"]);
        assert_eq!(
            *seen.borrow(),
            vec![None, Some("t1".to_string()), Some("t2".to_string())]
        );
    }

    #[test]
    fn errors_from_a_page_are_returned() {
        let result: Result<Vec<u8>, _> = block_on(paginate_token(2, |_, _| async {
            Err(AliyunError::config("ecs DescribeDisks", "boom"))
        }));
        assert!(result.is_err());
    }
}
