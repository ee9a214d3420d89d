//! Plain HTTP requests for the docs on the [`Server`](crate::Server)'s port.
//!
//! tungstenite refuses a request that is not a WebSocket upgrade before any
//! callback sees it, so the request head is read here first: a `GET` (or
//! `HEAD`) of a docs path without `Upgrade: websocket` is answered and the
//! connection closed; anything else goes on to the WebSocket handshake with
//! the bytes already read put back in front of the stream.

use std::io;

use tokio::net::TcpStream;

use super::DocFile;
use crate::transport::ReadAhead;

/// The longest request head looked at; a longer one goes to the handshake.
const MAX_HEAD: usize = 16 * 1024;

/// Answers a docs request, or hands the connection on (`Some`) with what
/// was read put back.
pub(crate) async fn intercept(
    stream: TcpStream,
    files: &[DocFile],
) -> io::Result<Option<ReadAhead<TcpStream>>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    if let Some(response) = respond(&head, files) {
        write_all(&stream, &response).await?;
        return Ok(None);
    }
    Ok(Some(ReadAhead::with_read(head, stream)))
}

/// The response to a request for a docs file; `None` for every other request.
fn respond(head: &[u8], files: &[DocFile]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut request = lines.next()?.split(' ');
    let (method, target) = (request.next()?, request.next()?);
    let path = target.split(['?', '#']).next().unwrap_or(target);
    let file = files.iter().find(|f| f.path == path)?;
    let upgrade = lines.take_while(|l| !l.is_empty()).any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("upgrade")
                && value.to_ascii_lowercase().contains("websocket")
        })
    });
    if upgrade {
        return None;
    }
    let (status, body): (&str, &[u8]) = match method {
        "GET" => ("200 OK", file.body.as_bytes()),
        "HEAD" => ("200 OK", b""),
        _ => ("405 Method Not Allowed", b""),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n",
        file.content_type,
        if method == "HEAD" || method == "GET" {
            file.body.len()
        } else {
            0
        },
    )
    .into_bytes();
    response.extend_from_slice(body);
    Some(response)
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn files() -> Vec<DocFile> {
        vec![DocFile {
            path: "/asyncapi.json".into(),
            content_type: "application/json",
            body: Arc::from("{}"),
        }]
    }

    fn text(response: Option<Vec<u8>>) -> Option<String> {
        response.map(|r| String::from_utf8(r).unwrap())
    }

    #[test]
    fn a_get_of_a_docs_path_is_answered() {
        let response = text(respond(
            b"GET /asyncapi.json?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
            &files(),
        ))
        .unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"));
        assert!(response.contains("Content-Length: 2\r\n"));
        assert!(response.ends_with("\r\n\r\n{}"));
        let head = text(respond(b"HEAD /asyncapi.json HTTP/1.1\r\n\r\n", &files())).unwrap();
        assert!(head.contains("Content-Length: 2\r\n") && head.ends_with("\r\n\r\n"));
        let post = text(respond(b"POST /asyncapi.json HTTP/1.1\r\n\r\n", &files())).unwrap();
        assert!(post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    }

    #[test]
    fn everything_else_goes_to_the_handshake() {
        let upgrade = b"GET /asyncapi.json HTTP/1.1\r\nUpgrade: WebSocket\r\n\r\n";
        assert!(respond(upgrade, &files()).is_none());
        assert!(respond(b"GET /ws/chat HTTP/1.1\r\n\r\n", &files()).is_none());
        assert!(respond(b"\xff\xfe", &files()).is_none());
    }
}
