//! Generates a synthetic release: `synth <tiny|international|uk> <out-dir> [seed]`.

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let profile =
        args.get(1).map_or("tiny", String::as_str).parse::<sctx_synth::Profile>().unwrap_or_else(
            |e| {
                eprintln!("{e}");
                std::process::exit(2)
            },
        );
    let out = PathBuf::from(args.get(2).map_or("/tmp/synth", String::as_str));
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let start = std::time::Instant::now();
    let progress =
        |stage: &str, n: u64| eprintln!("[{:7.2}s] {stage}: {n}", start.elapsed().as_secs_f64());
    match sctx_synth::generate(profile, seed, &out, Some(&progress)) {
        Ok(stats) => {
            let mut s = stats.clone();
            s.files.clear();
            println!("{s:#?}");
            for f in &stats.files {
                println!("{:>10} rows {:>12} bytes  {}", f.rows, f.bytes, f.path);
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}
