//! `sctx`: the command-line front end. A thin layer over the `sctx-db` library; every
//! command prints JSON on stdout and errors on stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sctx_db::{Database, ImportOptions};
use sctx_types::LanguagePreference;

// mimalloc: the server answers with many short-lived strings; glibc malloc took ~10% of a
// lookup request's CPU in `perf` (BENCHMARKS.md, HTTP).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "sctx",
    version,
    about = "SNOMED CT terminology server with Read v2 / CTV3 translation"
)]
struct Cli {
    /// Suppress progress output.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
struct DbArg {
    /// Database directory (a root of builds, or one build). Defaults to $SCTX_DB, else the
    /// bundled sample, built on first use.
    #[arg(long, env = "SCTX_DB")]
    db: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import RF2 packages (directories or zips) into a new build of a database directory.
    Import {
        /// Database directory to create or add a build to.
        #[arg(long)]
        db: PathBuf,
        /// Use the state as of this date (YYYYMMDD); Full files are used.
        #[arg(long)]
        as_of: Option<String>,
        /// Declare the edition(s) instead of detecting them: MODULE=YYYYMMDD (repeatable),
        /// e.g. 900000000000207008=20250814.
        #[arg(long = "edition")]
        edition_versions: Vec<String>,
        /// RF2 packages: directories or .zip files, layered in order.
        #[arg(required = true)]
        packages: Vec<PathBuf>,
    },
    /// Write a deterministic synthetic release (RF2 packages and NHS map tables).
    Generate {
        /// tiny (tests), international (~535k concepts) or uk (~1.07M concepts).
        #[arg(long, default_value = "tiny")]
        profile: sctx_synth::Profile,
        /// Random seed: the same seed gives byte-identical files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Show the manifest of a database: editions, versions, counts, files.
    Info {
        #[command(flatten)]
        db: DbArg,
    },
    /// Print one concept as JSON.
    Lookup {
        #[command(flatten)]
        db: DbArg,
        /// Concept id.
        id: String,
        /// Language tag for preferred terms: en-GB (default), en-US, en-x-<refsetId>.
        #[arg(long, default_value = "en-GB")]
        lang: String,
    },
    /// Serve the HTTP API (native JSON under /v1, health, metrics, OpenAPI).
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "SCTX_ADDR")]
        addr: std::net::SocketAddr,
        /// Per-request timeout in seconds.
        #[arg(long, default_value_t = 30)]
        timeout_secs: u64,
        /// Maximum request body in bytes.
        #[arg(long, default_value_t = 8 * 1024 * 1024)]
        body_limit: usize,
        /// Maximum requests processed at once.
        #[arg(long, default_value_t = 1024)]
        concurrency: usize,
        /// Maximum page size of paged results.
        #[arg(long, default_value_t = 10_000)]
        max_page_size: usize,
        /// Allow cross-origin requests from this origin (`*` for any). Off by default.
        #[arg(long)]
        cors_origin: Option<String>,
        /// Log as JSON lines instead of text.
        #[arg(long)]
        log_json: bool,
        /// MiB of whole GET answers kept for repeats (0 turns the cache off).
        #[arg(long, default_value_t = 64)]
        cache_mb: usize,
    },
    /// Evaluate an ECL expression and print the count and a page of concepts.
    Ecl {
        #[command(flatten)]
        db: DbArg,
        /// The expression (ECL 2.3, brief or long syntax).
        ecl: String,
        /// Only print the count.
        #[arg(long)]
        count: bool,
        /// Page size.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Page offset.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Language tag for preferred terms.
        #[arg(long, default_value = "en-GB")]
        lang: String,
    },
    /// Autocomplete search: prints JSON hits (conceptId, term, preferredTerm, score).
    Search {
        #[command(flatten)]
        db: DbArg,
        /// What the user typed.
        text: String,
        /// Maximum hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Language tag for ranking and preferred terms.
        #[arg(long, default_value = "en-GB")]
        lang: String,
        /// Always tolerate typos (by default only when nothing matches exactly).
        #[arg(long, conflicts_with = "exact")]
        fuzzy: bool,
        /// Never tolerate typos.
        #[arg(long)]
        exact: bool,
        /// Include inactive concepts and descriptions.
        #[arg(long)]
        inactive: bool,
        /// Only concepts that are this concept or its descendants (repeatable).
        #[arg(long = "is-a")]
        is_a: Vec<String>,
        /// Only members of this refset (repeatable).
        #[arg(long)]
        refset: Vec<String>,
        /// Only concepts matching this ECL.
        #[arg(long)]
        ecl: Option<String>,
        /// Only these description types: fsn, synonym, definition (repeatable).
        #[arg(long = "type")]
        types: Vec<String>,
        /// Every matching description, not just the best per concept.
        #[arg(long)]
        all_descriptions: bool,
    },
    /// Translate Read v2 / CTV3 / SNOMED CT / ICD-10 codes: one code prints JSON; files or
    /// several codes stream CSV/TSV with a status per row and an optional JSON report.
    Translate {
        #[command(flatten)]
        db: DbArg,
        /// Source: readv2, ctv3 or sct.
        #[arg(long)]
        from: String,
        /// Target: sct, readv2, ctv3 or icd10.
        #[arg(long)]
        to: String,
        /// Codes to translate (Read v2 `H33..` or `H33..00`, CTV3, SCTIDs).
        codes: Vec<String>,
        /// Input CSV or TSV file (default: standard input when no codes are given).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output file (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// The code column: a header name or a 1-based number (default: the first).
        #[arg(long)]
        column: Option<String>,
        /// The term-code column.
        #[arg(long)]
        term_column: Option<String>,
        /// Write a JSON summary (counts per status, unmapped codes, invalid rows) here.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Fall back to the nearest mapped ancestor (marked `broader`).
        #[arg(long)]
        broader: bool,
        /// ICD-10: use the UK map 999002271000000101 instead of the International map.
        #[arg(long)]
        uk: bool,
        /// ICD-10 rule context: female or male.
        #[arg(long)]
        sex: Option<String>,
        /// ICD-10 rule context: age in years.
        #[arg(long)]
        age: Option<f64>,
        /// Output format: csv or tsv (default: the input's).
        #[arg(long)]
        format: Option<String>,
        /// Language tag for preferred terms.
        #[arg(long, default_value = "en-GB")]
        lang: String,
    },
    /// Test subsumption between two concepts: does A subsume B?
    Subsumes {
        #[command(flatten)]
        db: DbArg,
        /// Concept A.
        a: String,
        /// Concept B.
        b: String,
    },
}

fn show_progress(quiet: bool) -> bool {
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

/// The default database: $SCTX_DB, else the sample, built into the target directory that
/// holds this binary (or the user cache directory when installed elsewhere).
fn resolve_db(arg: &DbArg, quiet: bool) -> Result<PathBuf> {
    if let Some(db) = &arg.db {
        return Ok(db.clone());
    }
    let exe = std::env::current_exe().context("locating the sctx binary")?;
    let root = exe
        .parent()
        .and_then(Path::parent)
        .filter(|p| p.join("CACHEDIR.TAG").exists() || p.file_name().is_some_and(|n| n == "target"))
        .map(|t| t.join("sctx-sample-db"))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/sctx/sample-db"))
        })
        .unwrap_or_else(|| PathBuf::from("sctx-sample-db"));
    if !quiet {
        eprintln!("sctx: no --db given; using the bundled sample database in {}", root.display());
    }
    Ok(sctx_db::sample_db(&root)?)
}

fn init_logging(json: bool, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if quiet { "warn" } else { "info,tower_http=warn" };
    let filter = EnvFilter::try_from_env("SCTX_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn parse_date(s: &str) -> Result<u32> {
    let t = sctx_types::EffectiveTime::parse(s)?;
    if t.is_blank() {
        bail!("a date is required (YYYYMMDD)");
    }
    Ok(t.0)
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import { db, as_of, edition_versions, packages } => {
            // (fresh memory is the dearest part of an import here: see the function)
            sctx_db::prefer_small_pages();
            let as_of = as_of.as_deref().map(parse_date).transpose()?;
            let mut versions = Vec::new();
            for ev in &edition_versions {
                let (m, v) = ev
                    .split_once('=')
                    .with_context(|| format!("--edition {ev:?}: expected MODULE=YYYYMMDD"))?;
                versions.push((sctx_db::parse_id(m)?, parse_date(v)?));
            }
            let bar = show_progress(cli.quiet).then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let cb = |stage: &str, detail: &str, done: u64, total: u64| {
                if let Some(b) = &bar {
                    b.set_length(total);
                    b.set_position(done);
                    let name = detail.rsplit('/').next().unwrap_or(detail);
                    b.set_message(format!("{stage} {name}"));
                }
            };
            let report = sctx_db::import(
                &db,
                &packages,
                &ImportOptions {
                    as_of,
                    edition_versions: versions,
                    progress: Some(&cb),
                    ..Default::default()
                },
            )?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_json(&serde_json::json!({
                "build": report.build.display().to_string(),
                "loadSeconds": report.load_seconds,
                // (the store and the search index are built at the same time: the store's
                // seconds run until both are written)
                "storeSeconds": report.store_seconds,
                "searchSeconds": report.search_seconds,
                "editions": report.manifest.editions,
                "counts": report.manifest.counts,
            }))
        }
        Command::Generate { profile, seed, out } => {
            let bar = show_progress(cli.quiet).then(indicatif::ProgressBar::new_spinner);
            let cb = |stage: &str, n: u64| {
                if let Some(b) = &bar {
                    b.set_message(format!("{stage} {n}"));
                    b.tick();
                }
            };
            let stats = sctx_synth::generate(profile, seed, &out, Some(&cb))?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_json(&stats)
        }
        Command::Info { db } => {
            let path = resolve_db(&db, cli.quiet)?;
            let d = Database::open(&path)?;
            d.check()?;
            let mut v = serde_json::to_value(d.manifest())?;
            v["path"] = d.store().dir().display().to_string().into();
            print_json(&v)
        }
        Command::Lookup { db, id, lang } => {
            let lang = LanguagePreference::parse(&lang)?;
            let d = Database::open(&resolve_db(&db, cli.quiet)?)?;
            print_json(&d.lookup(&id, &lang)?)
        }
        Command::Serve {
            db,
            addr,
            timeout_secs,
            body_limit,
            concurrency,
            max_page_size,
            cors_origin,
            log_json,
            cache_mb,
        } => {
            init_logging(log_json, cli.quiet);
            let path = resolve_db(&db, cli.quiet)?;
            let config = sctx_server::ServerConfig {
                request_timeout: std::time::Duration::from_secs(timeout_secs.max(1)),
                body_limit,
                concurrency_limit: concurrency,
                max_page_size,
                cors_origin,
                response_cache_bytes: cache_mb.saturating_mul(1024 * 1024),
                ..Default::default()
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async move {
                let state = sctx_server::AppState::new(&path, config);
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding {addr}"))?;
                let st = state.clone();
                tokio::task::spawn_blocking(move || st.load())
                    .await?
                    .with_context(|| format!("opening {}", path.display()))?;
                if !cli.quiet {
                    eprintln!("sctx: serving {} on http://{addr}  (try /v1/concepts/73211009, /openapi.json)", path.display());
                }
                sctx_server::serve_on(state, listener).await?;
                anyhow::Ok(())
            })
        }
        Command::Ecl { db, ecl, count, limit, offset, lang } => {
            let lang = LanguagePreference::parse(&lang)?;
            let d = Database::open(&resolve_db(&db, cli.quiet)?)?;
            let opts =
                sctx_db::EclOptions { limit, offset, count_only: count, ..Default::default() };
            let r = d.ecl(&ecl, &opts, &lang)?;
            if count {
                print_json(&serde_json::json!({ "ecl": r.ecl, "total": r.total }))
            } else {
                print_json(&r)
            }
        }
        Command::Search {
            db,
            text,
            limit,
            lang,
            fuzzy,
            exact,
            inactive,
            is_a,
            refset,
            ecl,
            types,
            all_descriptions,
        } => {
            let lang = LanguagePreference::parse(&lang)?;
            let d = Database::open(&resolve_db(&db, cli.quiet)?)?;
            let opts = sctx_db::SearchOptions {
                limit,
                fuzzy: if fuzzy {
                    Some(true)
                } else if exact {
                    Some(false)
                } else {
                    None
                },
                include_inactive: inactive,
                is_a,
                refsets: refset,
                ecl,
                types,
                all_descriptions,
                ..Default::default()
            };
            print_json(&d.search(&text, &opts, &lang)?.hits)
        }
        Command::Translate {
            db,
            from,
            to,
            codes,
            input,
            output,
            column,
            term_column,
            report,
            broader,
            uk,
            sex,
            age,
            format,
            lang,
        } => {
            use sctx_db::sctx_translate as t;
            let lang = LanguagePreference::parse(&lang)?;
            let d = Database::open(&resolve_db(&db, cli.quiet)?)?;
            d.check()?;
            let tr = d.translator(&lang);
            let sys = |s: &str| -> Result<t::System> {
                serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase())).map_err(
                    |_| {
                        anyhow::anyhow!("unknown code system {s:?}: use readv2, ctv3, sct or icd10")
                    },
                )
            };
            let (from, to) = (sys(&from)?, sys(&to)?);
            let mut opts = t::BatchOptions::new(from, to);
            opts.broader = broader;
            if uk {
                opts.map_refset =
                    Some(sctx_types::SctId::new_unchecked(sctx_types::ids::UK_ICD10_MAP));
            }
            if let Some(s) = sex {
                opts.context.sex = Some(
                    serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
                        .map_err(|_| anyhow::anyhow!("--sex must be female or male"))?,
                );
            }
            opts.context.age_years = age;
            let col = |c: Option<String>| -> Result<Option<t::Column>> {
                c.map(|c| {
                    c.parse::<t::Column>().map_err(|e| anyhow::anyhow!("--column {c:?}: {e}"))
                })
                .transpose()
            };
            opts.column = col(column)?;
            opts.term_column = col(term_column)?;
            if let Some(f) = format {
                opts.output_format = Some(match f.to_ascii_lowercase().as_str() {
                    "csv" => t::Format::Csv,
                    "tsv" => t::Format::Tsv,
                    _ => bail!("--format must be csv or tsv"),
                });
            }
            // one code, no files: JSON
            if codes.len() == 1 && input.is_none() && output.is_none() && report.is_none() {
                let req = t::TranslateRequest {
                    from,
                    to,
                    code: codes[0].clone(),
                    term_code: None,
                    broader,
                    map_refset: opts.map_refset,
                    context: opts.context.clone(),
                };
                return print_json(&tr.translate(&req)?);
            }
            let out: Box<dyn std::io::Write> = match &output {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .with_context(|| format!("creating {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let rep = if !codes.is_empty() {
                t::translate_codes(&tr, &codes, out, &opts)?
            } else {
                if opts.input_format.is_none() {
                    opts.input_format = input.as_deref().and_then(t::Format::from_path);
                }
                let inp: Box<dyn std::io::Read> = match &input {
                    Some(p) => Box::new(
                        std::fs::File::open(p)
                            .with_context(|| format!("opening {}", p.display()))?,
                    ),
                    None => Box::new(std::io::stdin().lock()),
                };
                t::translate_batch(&tr, inp, out, &opts)?
            };
            match report {
                Some(p) => std::fs::write(&p, serde_json::to_vec_pretty(&rep)?)
                    .with_context(|| format!("writing {}", p.display()))?,
                None if !cli.quiet => eprintln!(
                    "sctx: {} rows: {}",
                    rep.rows,
                    serde_json::to_string(&rep.counts).unwrap_or_default()
                ),
                None => {}
            }
            Ok(())
        }
        Command::Subsumes { db, a, b } => {
            let d = Database::open(&resolve_db(&db, cli.quiet)?)?;
            print_json(&serde_json::json!({ "outcome": d.subsumes(&a, &b)? }))
        }
    }
}

/// Then, as it was, then again it will be.
fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        // a closed pipe (e.g. `| head`) is not an error
        if e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                || c.downcast_ref::<serde_json::Error>()
                    .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
        }) {
            std::process::exit(0);
        }
        eprintln!("sctx: error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
}
