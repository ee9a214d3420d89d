//! The whole pipeline in one call ([`generate`]: load → validate → model →
//! emit, nothing written) and the build.rs [`Builder`] in the style of
//! prost-build, which the `chanx` command line shares.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Api;
use crate::ir::build::{BuildOptions, build};
use crate::load::{Document, LoadOptions};
use crate::{rust, ts};

/// Everything that changes what is generated.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How documents and their `$ref`s are read.
    pub load: LoadOptions,
    /// How the model is built (the tag key).
    pub build: BuildOptions,
    /// Options of the Rust emitter.
    pub rust: rust::RustOptions,
    /// Options of the TypeScript emitter.
    pub ts: ts::TsOptions,
    /// Treat warnings as errors.
    pub deny_warnings: bool,
}

/// Where each language's file of a document goes (`DIR/NAME.rs`,
/// `DIR/NAME.ts`, NAME from [`module_name`]); `None` skips the language.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// The directory of the Rust module.
    pub rust: Option<PathBuf>,
    /// The directory of the TypeScript module.
    pub typescript: Option<PathBuf>,
}

/// A generated file, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where it goes.
    pub path: PathBuf,
    /// Its contents.
    pub contents: String,
}

/// What one document gave: its files and what it took to make them.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The files, Rust first.
    pub files: Vec<GeneratedFile>,
    /// Every file read (the document and all it `$ref`s).
    pub inputs: Vec<PathBuf>,
    /// Warnings about the document.
    pub warnings: Diagnostics,
}

/// The pipeline: loads and validates `spec`, builds its model and emits the
/// languages `targets` asks for. Nothing is written (see [`write_if_changed`]);
/// every problem of the document is returned at once.
pub fn generate(
    spec: &Path,
    options: &Options,
    targets: &Targets,
) -> Result<Generated, Diagnostics> {
    let name = module_name(spec);
    let emit = |api: &Api| -> Result<Vec<GeneratedFile>, Diagnostics> {
        // Rust is most of the work; TypeScript is made beside it.
        let (rust, ts) = std::thread::scope(|scope| {
            let ts = targets.typescript.as_ref().map(|dir| {
                scope.spawn(|| {
                    (
                        dir.join(format!("{name}.ts")),
                        ts::generate(api, &options.ts),
                    )
                })
            });
            let rust = targets.rust.as_ref().map(|dir| {
                (
                    dir.join(format!("{name}.rs")),
                    rust::generate(api, &options.rust),
                )
            });
            (rust, ts.map(join_or_resume))
        });
        let mut files = Vec::new();
        for (path, contents) in rust.into_iter().chain(ts) {
            files.push(GeneratedFile {
                path,
                contents: contents?,
            });
        }
        Ok(files)
    };
    let ((), loaded, files) = load_document_and(spec, options, drop_in_background, emit)?;
    let Loaded {
        api,
        inputs,
        warnings,
    } = loaded;
    drop_in_background(api);
    Ok(Generated {
        files: files?,
        inputs,
        warnings,
    })
}

/// Checks a document without generating anything: its warnings, or every
/// problem it has.
pub fn validate(spec: &Path, options: &LoadOptions) -> Result<Diagnostics, Diagnostics> {
    crate::validate::load_and_validate(spec, options).map(|(_, warnings)| warnings)
}

/// What a document will generate, for people (`text`) and tools (`json`,
/// the whole model).
#[derive(Debug, Clone)]
pub struct Inspection {
    /// A summary: channels, their messages and addresses, operations, types.
    pub text: String,
    /// The model as JSON.
    pub json: String,
    /// Warnings about the document.
    pub warnings: Diagnostics,
}

/// Loads `spec` and describes what it will generate.
pub fn inspect(spec: &Path, options: &Options) -> Result<Inspection, Diagnostics> {
    let loaded = load_api(spec, options)?;
    Ok(Inspection {
        text: crate::inspect::render(&loaded.api),
        json: serde_json::to_string_pretty(&loaded.api).unwrap_or_default(),
        warnings: loaded.warnings,
    })
}

/// The docs page of a document: what a server generated from it serves at
/// `/asyncapi`.
#[derive(Debug, Clone)]
pub struct DocsPage {
    /// One self-contained HTML file (styles, script and the bundled document inside).
    pub html: String,
    /// Warnings about the document.
    pub warnings: Diagnostics,
}

/// Loads `spec` and makes its docs page.
pub fn docs_page(spec: &Path, options: &Options) -> Result<DocsPage, Diagnostics> {
    let loaded = load_api(spec, options)?;
    let document = loaded.api.document.unwrap_or_else(|| "null".into());
    Ok(DocsPage {
        html: chanx_templates::docs_page(&document),
        warnings: loaded.warnings,
    })
}

/// A loaded, validated model and what it took to get it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The model.
    pub api: Api,
    /// Every file read (the document and all it `$ref`s).
    pub inputs: Vec<PathBuf>,
    /// Warnings about the document.
    pub warnings: Diagnostics,
}

/// Loads, validates and builds the model of one document.
pub fn load_api(path: &Path, options: &Options) -> Result<Loaded, Diagnostics> {
    load_document_and(path, options, drop, |_| ()).map(|((), loaded, ())| loaded)
}

/// [`load_api`], keeping the files read, for tools that point back into
/// them (line and column of a model node's [`Origin`](crate::ir::Origin)).
pub(crate) fn load_document(
    path: &Path,
    options: &Options,
) -> Result<(Arc<Document>, Loaded), Diagnostics> {
    load_document_and(path, options, |doc| doc, |_| ()).map(|(doc, loaded, ())| (doc, loaded))
}

/// [`load_document`], and `then` on the model, which runs while the
/// document is being validated: checking a document against the AsyncAPI
/// meta-schema is most of the time on small documents, and it needs
/// nothing from the model. What `then` made is dropped unless the
/// document is valid, so the result is the same as checking first.
/// `keep` is given the document once the model is built: a caller that
/// does not need it drops it there (on a 100,000-line document the parsed
/// files are a third of the memory).
fn load_document_and<D, T: Send>(
    path: &Path,
    options: &Options,
    keep: impl FnOnce(Arc<Document>) -> D,
    then: impl FnOnce(&Api) -> T + Send,
) -> Result<(D, Loaded, T), Diagnostics> {
    // The meta-schema is made ready beside the parsing.
    crate::validate::prepare_for(path);
    let root = crate::load::read_root(path, &options.load)?;
    // Set once the document is known to be invalid, so the model's work
    // stops at its next step.
    let invalid = AtomicBool::new(false);
    let overlapped = std::thread::scope(|scope| {
        // The root file's own checks (its version, the meta-schema: most of
        // the checking) need nothing the references lead to, so they start
        // at once, beside the loading of the rest.
        let root_check = scope.spawn({
            let alone = root.alone(&options.load);
            let invalid = &invalid;
            move || {
                let checked = crate::validate::check_root(&alone);
                if checked.1.has_errors() {
                    invalid.store(true, Ordering::Relaxed);
                }
                checked
            }
        });
        let (doc, diags) = crate::load::load_references(root, &options.load);
        if diags.has_errors() {
            invalid.store(true, Ordering::Relaxed);
        }
        let inputs: Vec<PathBuf> = doc.paths().map(Path::to_path_buf).collect();
        // Shared by the validating thread and the model's: whichever is done
        // last frees it.
        let doc = Arc::new(doc);
        let validation = scope.spawn({
            let doc = Arc::clone(&doc);
            let invalid = &invalid;
            move || {
                let (version, mut found) = join_or_resume(root_check);
                // A document of another version would only give noise.
                if version.is_some() {
                    found.extend(crate::validate::check_references(&doc));
                }
                if found.has_errors() {
                    invalid.store(true, Ordering::Relaxed);
                }
                found
            }
        });
        let built = (!invalid.load(Ordering::Relaxed)).then(|| build(&doc, &options.build));
        let doc = keep(doc);
        let made = built.map(|built| match built {
            Ok((api, warnings)) if !invalid.load(Ordering::Relaxed) => {
                let made = then(&api);
                Ok((api, warnings, made))
            }
            Ok(_) => Err(Diagnostics::default()),
            Err(errors) => Err(errors),
        });
        Overlapped {
            validation: join_or_resume(validation),
            made,
            doc,
            inputs,
            load_diags: diags,
        }
    });
    let Overlapped {
        validation,
        made: built,
        doc,
        inputs,
        load_diags: mut diags,
    } = overlapped;
    diags.extend(validation);
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }
    let (api, build_warnings, made) = built.unwrap_or_else(|| Err(Diagnostics::default()))?;
    let mut warnings = diags;
    warnings.extend(build_warnings);
    warnings.sort();
    if options.deny_warnings && !warnings.is_empty() {
        return Err(warnings);
    }
    let loaded = Loaded {
        api,
        inputs,
        warnings,
    };
    Ok((doc, loaded, made))
}

/// What the threads of [`load_document_and`] leave: the checks' findings,
/// what was made from the model (`None` if it was not built), the document
/// as `keep` kept it, the files read and the loading's own findings.
struct Overlapped<D, T> {
    validation: Diagnostics,
    made: Option<Result<(Api, Diagnostics, T), Diagnostics>>,
    doc: D,
    inputs: Vec<PathBuf>,
    load_diags: Diagnostics,
}

/// Drops `value` on a thread of its own: freeing a large document's parsed
/// files or model takes a millisecond or more that nothing needs to wait
/// for (the files are written meanwhile).
fn drop_in_background<T: Send + 'static>(value: T) {
    // With no thread to spare, the closure (and `value` in it) is dropped
    // here instead.
    let _ = std::thread::Builder::new()
        .name("chanx-drop".into())
        .spawn(move || drop(value));
}

/// A scoped thread's result; its panic goes on in the caller.
pub(crate) fn join_or_resume<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The Rust module generated from one document.
pub fn generate_rust(loaded: &Loaded, options: &Options) -> Result<String, Diagnostics> {
    rust::generate(&loaded.api, &options.rust)
}

/// The TypeScript module generated from one document.
pub fn generate_ts(loaded: &Loaded, options: &Options) -> Result<String, Diagnostics> {
    ts::generate(&loaded.api, &options.ts)
}

/// The module name for a document: its file stem in snake_case (`chat.yaml` → `chat`).
pub fn module_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".asyncapi").unwrap_or(&stem);
    let mut name = heck::ToSnakeCase::to_snake_case(stem)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "api_");
    }
    name
}

/// Writes `contents` to `path` unless the file already holds exactly that.
///
/// The new content goes to a temporary file in the same directory, then is
/// renamed over the target, so readers never see a half-written file, and
/// a run that fails or is stopped leaves the old one. The file is not
/// flushed to disk first (that was 1.5 ms a file): after a power loss a
/// file system that orders data loosely may hold an old or empty file,
/// which the next run, comparing contents, writes again.
/// Returns whether the file was written.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    // Only a regular file of the same size can hold the same content; a
    // device or pipe at `path` is neither read nor waited on.
    if crate::read::holds_exactly(path, contents.as_bytes()) {
        return Ok(false);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(contents.as_bytes())?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| true)
}

/// Why [`Builder::compile`] failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document has problems; every one is listed.
    #[error("{spec}: {} problem(s):\n{diagnostics}", diagnostics.len())]
    Spec {
        /// The document.
        spec: PathBuf,
        /// Every problem found in it.
        diagnostics: Diagnostics,
    },
    /// A generated file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Neither `Builder::out_dir` nor `OUT_DIR` says where to write.
    #[error("no output directory: set Builder::out_dir or run from a build script (OUT_DIR)")]
    NoOutDir,
}

/// Starts a build.rs configuration: `chanx_codegen::configure().compile(&["specs/chat.yaml"])?`.
pub fn configure() -> Builder {
    Builder {
        options: Options::default(),
        out_dir: None,
        ts_out_dir: None,
        emit_rerun_if_changed: std::env::var_os("CARGO").is_some()
            && std::env::var_os("OUT_DIR").is_some(),
    }
}

/// Generates Rust modules into `OUT_DIR` from a build script.
///
/// Each document `specs/NAME.yaml` becomes `$OUT_DIR/NAME.rs`, which
/// `chanx_runtime::include_api!("NAME")` pulls in. Files are written only
/// when their content changes, so unchanged specs do not trigger rebuilds.
#[derive(Debug, Clone)]
pub struct Builder {
    options: Options,
    out_dir: Option<PathBuf>,
    ts_out_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

impl Builder {
    /// Where the Rust modules go (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Also write the TypeScript client of each document into `dir`.
    pub fn ts_out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ts_out_dir = Some(dir.into());
        self
    }

    /// The property that tags messages, for every channel (default: detected).
    pub fn action_key(mut self, key: impl Into<String>) -> Self {
        self.options.build.action_key = Some(key.into());
        self
    }

    /// Give every consumer-trait method a default body answering "not implemented".
    pub fn default_stubs(mut self, enable: bool) -> Self {
        self.options.rust.default_stubs = enable;
        self
    }

    /// Also generate the client side (`<Channel>Client`, topic `Handle`s);
    /// the crate then needs chanx-runtime's `client` feature.
    pub fn client(mut self, enable: bool) -> Self {
        self.options.rust.client = enable;
        self
    }

    /// Generate the client side only: message types, `<Channel>Client`s and
    /// topic `Handle`s, no consumer traits or servers. The crate then builds
    /// on chanx-runtime without its server:
    /// `chanx-runtime = { version = "…", default-features = false, features = ["client"] }`.
    pub fn client_only(mut self, enable: bool) -> Self {
        self.options.rust.client_only = enable;
        self
    }

    /// Serve remote `$ref`s under `prefix` from the local directory `dir`.
    pub fn map_url(mut self, prefix: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        self.options
            .load
            .remote
            .mappings
            .push((prefix.into(), dir.into()));
        self
    }

    /// Fail on warnings too.
    pub fn deny_warnings(mut self, deny: bool) -> Self {
        self.options.deny_warnings = deny;
        self
    }

    /// Print `cargo:rerun-if-changed` for every file read (default: on in build scripts).
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Self {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// The options as configured, for callers that drive the pipeline themselves.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Generates every document; all of them are checked before anything is written.
    pub fn compile(&self, specs: &[impl AsRef<Path>]) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let targets = Targets {
            rust: Some(out_dir),
            typescript: self.ts_out_dir.clone(),
        };
        let mut files = Vec::new();
        for spec in specs {
            let spec = spec.as_ref();
            if self.emit_rerun_if_changed {
                println!("cargo:rerun-if-changed={}", spec.display());
            }
            let generated =
                generate(spec, &self.options, &targets).map_err(|diagnostics| Error::Spec {
                    spec: spec.to_path_buf(),
                    diagnostics,
                })?;
            if self.emit_rerun_if_changed {
                for input in &generated.inputs {
                    println!("cargo:rerun-if-changed={}", input.display());
                }
                for warning in generated.warnings.0.iter() {
                    println!("cargo:warning={}", single_line(warning));
                }
            }
            files.extend(generated.files);
        }
        for file in files {
            write_if_changed(&file.path, &file.contents).map_err(|source| Error::Write {
                path: file.path,
                source,
            })?;
        }
        Ok(())
    }
}

fn single_line(d: &Diagnostic) -> String {
    d.to_string().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_identifiers() {
        assert_eq!(module_name(Path::new("specs/chat.yaml")), "chat");
        assert_eq!(module_name(Path::new("a/My-API.asyncapi.json")), "my_api");
        assert_eq!(module_name(Path::new("2024-api.yml")), "api_2024_api");
    }

    #[test]
    fn write_if_changed_skips_identical_content() {
        let dir = std::env::temp_dir().join(format!("chanx-write-{}", std::process::id()));
        let path = dir.join("out.rs");
        assert!(write_if_changed(&path, "a").unwrap());
        assert!(!write_if_changed(&path, "a").unwrap());
        assert!(write_if_changed(&path, "b").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "b");
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
        fs::remove_dir_all(&dir).unwrap();
    }
}
