//! Reading files that a document names, which may be anything: only
//! regular files are opened, never devices, pipes or sockets (`/dev/zero`
//! never ends, a named pipe blocks until someone writes), and no more than
//! the size limit is ever read, whatever the file's metadata says.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The file cannot be opened or read (it does not exist, say).
    Io(io::Error),
    /// The path names a directory.
    Directory,
    /// The path names something other than a regular file: what it is
    /// (`a named pipe`, `a character device`, …).
    NotRegular(&'static str),
    /// The file holds more than `limit` bytes.
    TooLarge {
        /// The size found: the metadata's, or at least `limit + 1`.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read file: {e}"),
            ReadError::Directory => f.write_str("is a directory, not a file"),
            ReadError::NotRegular(what) => {
                write!(
                    f,
                    "is {what}, not a regular file; only regular files are read"
                )
            }
            ReadError::TooLarge { size, limit } if *size > *limit + 1 => write!(
                f,
                "file is {size} bytes, more than the limit of {limit} bytes"
            ),
            ReadError::TooLarge { limit, .. } => {
                write!(f, "file is more than the limit of {limit} bytes")
            }
        }
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// Reads the regular file at `path` (symlinks followed), at most `limit`
/// bytes of it: anything else, or a longer file, is an error, found without
/// blocking and without reading more than `limit + 1` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Looked at before opening: opening a named pipe for reading blocks.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    check_type(&meta)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    // The path may have been swapped since; what was opened is what counts.
    check_type(&file.metadata().map_err(ReadError::Io)?)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Whether the regular file at `path` holds exactly `contents`: anything
/// else at `path` (missing, a directory, a pipe, a file of another size)
/// does not. The file is compared a block at a time, so checking a
/// generated module of tens of megabytes costs no copy of it in memory.
pub(crate) fn holds_exactly(path: &Path, contents: &[u8]) -> bool {
    let same_size = |meta: io::Result<std::fs::Metadata>| {
        meta.is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64)
    };
    if !same_size(std::fs::metadata(path)) {
        return false;
    }
    let Ok(mut file) = open_nonblocking(path) else {
        return false;
    };
    // The path may have been swapped since; what was opened is what counts.
    if !same_size(file.metadata()) {
        return false;
    }
    let mut block = vec![0u8; COMPARE_BLOCK_BYTES.min(contents.len() + 1)];
    let mut rest = contents;
    loop {
        match file.read(&mut block) {
            // The file ended: the same only if the contents did too.
            Ok(0) => return rest.is_empty(),
            Ok(n) => match rest.strip_prefix(&block[..n]) {
                Some(after) => rest = after,
                None => return false,
            },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// How much of a file [`holds_exactly`] reads at once.
const COMPARE_BLOCK_BYTES: usize = 64 * 1024;

/// Up to `n` bytes from the start of the regular file at `path`; nothing
/// when it is anything else (a named pipe is never opened, so never
/// waited on and never read from) or cannot be read.
pub(crate) fn read_start(path: &Path, n: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    let regular = |meta: io::Result<std::fs::Metadata>| meta.is_ok_and(|m| m.is_file());
    if regular(std::fs::metadata(path))
        && let Ok(file) = open_nonblocking(path)
        && regular(file.metadata())
    {
        let _ = file.take(n).read_to_end(&mut bytes);
    }
    bytes
}

fn check_type(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(ReadError::Directory);
    }
    Err(ReadError::NotRegular(describe(&kind)))
}

#[cfg(unix)]
fn describe(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn describe(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_start_of_a_regular_file_only() {
        let dir = crate::test_files::scratch_dir("read-start");
        let file = dir.join("f.yaml");
        std::fs::write(&file, "asyncapi: 3.1.0\n").unwrap();
        assert_eq!(read_start(&file, 8), b"asyncapi");
        assert_eq!(read_start(&file, 100), b"asyncapi: 3.1.0\n");
        // A named pipe with no writer: not opened, so nothing waits.
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        assert!(read_start(&fifo, 100).is_empty());
        assert!(read_start(&dir, 100).is_empty());
        assert!(read_start(&dir.join("missing"), 100).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn holds_exactly_compares_whole_files_block_by_block() {
        let dir = crate::test_files::scratch_dir("holds");
        let path = dir.join("f.rs");
        for len in [0, 1, 65_535, 65_536, 65_537, 200_001] {
            let contents: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &contents).unwrap();
            assert!(holds_exactly(&path, &contents), "{len} bytes");
            if len == 0 {
                assert!(!holds_exactly(&path, b"x"));
                continue;
            }
            // One byte changed, at the start, a block's end, or the end.
            for at in [0, len.min(65_536) - 1, len - 1] {
                let mut other = contents.clone();
                other[at] ^= 1;
                assert!(!holds_exactly(&path, &other), "{len} bytes, byte {at}");
            }
            // Shorter or longer than the file.
            assert!(!holds_exactly(&path, &contents[..len - 1]), "{len} bytes");
            let mut longer = contents.clone();
            longer.push(0);
            assert!(!holds_exactly(&path, &longer), "{len} bytes");
        }
        assert!(!holds_exactly(&dir, b""));
        assert!(!holds_exactly(&dir.join("missing"), b""));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_regular_files_up_to_the_limit() {
        let dir = crate::test_files::scratch_dir("read");
        let path = dir.join("f.txt");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read_limited(&path, 5).unwrap(), b"12345");
        let e = read_limited(&path, 4).unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge { size: 5, limit: 4 }),
            "{e}"
        );
        assert!(matches!(read_limited(&dir, 10), Err(ReadError::Directory)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading() {
        for (path, what) in [
            ("/dev/zero", "a character device"),
            ("/dev/urandom", "a character device"),
        ] {
            let e = read_limited(Path::new(path), 1024).unwrap_err();
            assert!(
                matches!(e, ReadError::NotRegular(w) if w == what),
                "{path}: {e}"
            );
        }
    }

    /// `/proc` files are regular but report a length of 0: the limit holds
    /// while reading, not only against the metadata.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_limit_holds_when_the_metadata_says_empty() {
        let path = Path::new("/proc/self/maps");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        let e = read_limited(path, 16).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    size: 17,
                    limit: 16
                }
            ),
            "{e}"
        );
    }
}
