//! A folder of `.wikitext` files, each the desired content of one wiki page.
//!
//! The file's path in the folder, minus `.wikitext`, with `_` for spaces, is the page title:
//! `Template:Partnership_proposal/doc.wikitext` is `Template:Partnership proposal/doc`. Other
//! files (README.md) are documentation and are skipped.

use std::path::{Component, Path, PathBuf};

const EXTENSION: &str = "wikitext";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFile {
    /// The title as spelled by the path; MediaWiki may normalise it further.
    pub title: String,
    /// Content with trailing whitespace removed, as MediaWiki stores it.
    pub text: String,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum PageFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// Every page file under `dir`, sorted by title.
pub fn load_dir(dir: &Path) -> Result<Vec<PageFile>, PageFileError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    let mut pages = paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).expect("walk stays under dir");
            let title = title_from_path(relative).map_err(|reason| PageFileError::Invalid {
                path: path.clone(),
                reason,
            })?;
            let bytes = std::fs::read(&path).map_err(|source| PageFileError::Read {
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes).map_err(|_| PageFileError::Invalid {
                path: path.clone(),
                reason: "not UTF-8 text".into(),
            })?;
            Ok(PageFile {
                title,
                text: text.trim_end().to_owned(),
                path,
            })
        })
        .collect::<Result<Vec<_>, PageFileError>>()?;
    pages.sort_by(|a, b| a.title.cmp(&b.title));
    if let Some(pair) = pages.windows(2).find(|w| w[0].title == w[1].title) {
        return Err(PageFileError::Invalid {
            path: pair[1].path.clone(),
            reason: format!("same title as {}", pair[0].path.display()),
        });
    }
    Ok(pages)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PageFileError> {
    let read_error = |source| PageFileError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().and_then(|e| e.to_str()) == Some(EXTENSION) {
            out.push(path);
        }
    }
    Ok(())
}

/// `Template:Partnership_proposal/doc.wikitext` -> `Template:Partnership proposal/doc`.
pub fn title_from_path(relative: &Path) -> Result<String, String> {
    let without_extension = relative.with_extension("");
    let mut parts = Vec::new();
    for component in without_extension.components() {
        match component {
            Component::Normal(part) => {
                let part = part.to_str().ok_or("file name is not UTF-8")?;
                let part = part.replace('_', " ");
                if part.trim().is_empty() {
                    return Err("empty title part".into());
                }
                parts.push(part);
            }
            _ => return Err("path must stay inside the folder".into()),
        }
    }
    if parts.is_empty() {
        return Err("empty title".into());
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_follow_paths() {
        let t = |p: &str| title_from_path(Path::new(p));
        assert_eq!(
            t("Template:Partnership_proposal.wikitext").unwrap(),
            "Template:Partnership proposal"
        );
        assert_eq!(
            t("Template:Partnership_proposal/doc.wikitext").unwrap(),
            "Template:Partnership proposal/doc"
        );
        assert_eq!(
            t("Partnerships/Proposals/City_Museum.wikitext").unwrap(),
            "Partnerships/Proposals/City Museum"
        );
        assert!(t("../escape.wikitext").is_err());
        assert!(t("_.wikitext").is_err());
    }

    #[test]
    fn loads_sorted_trimmed_and_skips_other_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("Template:B")).unwrap();
        std::fs::write(dir.path().join("Template:B.wikitext"), "b body\n\n").unwrap();
        std::fs::write(dir.path().join("Template:B/doc.wikitext"), "doc").unwrap();
        std::fs::write(dir.path().join("Template:A.wikitext"), "a").unwrap();
        std::fs::write(dir.path().join("README.md"), "not a page").unwrap();
        std::fs::write(dir.path().join(".hidden.wikitext"), "skipped").unwrap();
        let pages = load_dir(dir.path()).unwrap();
        let titles: Vec<_> = pages.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Template:A", "Template:B", "Template:B/doc"]);
        assert_eq!(pages[1].text, "b body");
    }

    #[test]
    fn non_utf8_and_missing_dir_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Bad.wikitext"), [0xff, 0xfe]).unwrap();
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not UTF-8"), "{err}");
        let err = load_dir(&dir.path().join("nope")).unwrap_err().to_string();
        assert!(err.contains("cannot read"), "{err}");
    }
}
