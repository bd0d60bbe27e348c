//! The I/O floor for import: read every line of every `.txt` file under a release and split
//! it on tabs, doing nothing else. Import time is reported as a multiple of this.
//!
//! `cargo bench --bench io_floor -- DIR`

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

fn walk(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "txt") {
                out.push(path);
            }
        }
    }
}

fn main() {
    let dir = std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_else(|| ".".into());
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);
    let t0 = Instant::now();
    let (mut lines, mut fields, mut bytes) = (0u64, 0u64, 0u64);
    let mut buf = Vec::with_capacity(4096);
    for f in &files {
        let mut r = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(f).unwrap());
        loop {
            buf.clear();
            let n = r.read_until(b'\n', &mut buf).unwrap();
            if n == 0 {
                break;
            }
            bytes += n as u64;
            lines += 1;
            fields += buf.split(|&b| b == b'\t').count() as u64;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"files\": {}, \"lines\": {lines}, \"fields\": {fields}, \"bytes\": {bytes}, \"seconds\": {secs:.3}}}",
        files.len()
    );
}
