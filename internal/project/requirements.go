package project

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// requirement is one thing a requirements file (or a PEP 508 string) asks pip
// to install.
type requirement struct {
	// Spec is the PEP 508 text ("flake8>=5,<8; python_version>'3'"); "" for a
	// local path or a URL.
	Spec string
	// Name is the normalized project name (PEP 503); "" when unknown.
	Name string
	// Extras are the extras asked for ([test,dev]), normalized.
	Extras []string
	// Path is the local folder it installs from, cleaned ("" otherwise).
	Path string
	// URL is set when it installs from a URL (VCS, archive): what that brings is unknown.
	URL bool
}

// requirementsFile is what one requirements file declares.
type requirementsFile struct {
	Requirements []requirement
	// Includes are the files it includes with -r, as written.
	Includes []string
}

var (
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`)
	sepRe     = regexp.MustCompile(`[-_.]+`)
	commentRe = regexp.MustCompile(`(^|\s)#.*$`)
	optionRe  = regexp.MustCompile(`\s--?[A-Za-z]`)
)

// NormalizeName is a project or extra name as pip compares it: lowercase,
// runs of -, _ and . as one dash (PEP 503, PEP 685).
func NormalizeName(name string) string {
	return sepRe.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}

// RequirementName returns the normalized project name a PEP 508 requirement
// names ("Flask-SQLAlchemy[async]>=3" → flask-sqlalchemy), "" when it names none.
func RequirementName(spec string) string {
	return NormalizeName(nameRe.FindString(strings.TrimSpace(spec)))
}

// parseRequirements reads a requirements file: requirement lines, local
// paths (-e ., ./pkg[x]) and -r includes. Options pip needs but that install
// nothing (--index-url, -c) are skipped.
func parseRequirements(text string) requirementsFile {
	var out requirementsFile
	for _, line := range logicalLines(text) {
		opt, arg := splitOption(line)
		switch opt {
		case "-r", "--requirement":
			if arg != "" {
				out.Includes = append(out.Includes, arg)
			}
			continue
		case "-e", "--editable":
			line = arg
		case "":
		default:
			continue // -c, --index-url, --find-links, ...: nothing to install
		}
		if loc := optionRe.FindStringIndex(line); loc != nil { // per-requirement options: --hash=...
			line = strings.TrimSpace(line[:loc[0]])
		}
		if line == "" {
			continue
		}
		out.Requirements = append(out.Requirements, parseRequirement(line))
	}
	return out
}

// logicalLines joins continued lines (a trailing backslash) and drops comments and blanks.
func logicalLines(text string) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		cur.WriteString(line)
		l := strings.TrimSpace(commentRe.ReplaceAllString(cur.String(), ""))
		cur.Reset()
		if l != "" {
			out = append(out, l)
		}
	}
	if l := strings.TrimSpace(commentRe.ReplaceAllString(cur.String(), "")); l != "" {
		out = append(out, l)
	}
	return out
}

// splitOption splits "-r file", "-rfile", "--requirement=file" into option and argument.
// A line that is no option returns "" and the line.
func splitOption(line string) (opt, arg string) {
	if !strings.HasPrefix(line, "-") {
		return "", line
	}
	if strings.HasPrefix(line, "--") {
		i := strings.IndexAny(line, " \t=")
		if i < 0 {
			return line, ""
		}
		return line[:i], strings.TrimSpace(line[i+1:])
	}
	if len(line) < 2 {
		return line, ""
	}
	return line[:2], strings.TrimSpace(strings.TrimPrefix(line[2:], "="))
}

// parseRequirement reads one requirement: a local path, a URL or PEP 508.
func parseRequirement(line string) requirement {
	target := strings.TrimPrefix(line, "file:")
	if p, extras, ok := localPath(target); ok {
		return requirement{Path: p, Extras: extras}
	}
	if strings.Contains(line, "://") || strings.HasPrefix(line, "git+") {
		name := ""
		if _, egg, ok := strings.Cut(line, "#egg="); ok {
			name = RequirementName(egg)
		}
		return requirement{Name: name, URL: true}
	}
	name := nameRe.FindString(line)
	r := requirement{Spec: line, Name: NormalizeName(name)}
	rest := strings.TrimSpace(line[len(name):])
	if strings.HasPrefix(rest, "[") {
		r.Extras = extrasOf(rest)
		if end := strings.Index(rest, "]"); end >= 0 {
			rest = strings.TrimSpace(rest[end+1:])
		}
	}
	if ref, ok := strings.CutPrefix(rest, "@"); ok { // a direct reference: name @ url
		ref = strings.TrimSpace(ref)
		if i := strings.Index(ref, ";"); i >= 0 {
			ref = strings.TrimSpace(ref[:i])
		}
		if p, _, ok := localPath(strings.TrimPrefix(ref, "file:")); ok {
			r.Path = p
		} else {
			r.URL = true
		}
	}
	return r
}

// localPath reports whether s names a folder relative to the source (., ./x,
// ../x) and returns it cleaned with the extras it asks for. Extras and
// environment markers ("./pkg[x]; python_version>'3'") are cut before the
// check, so ".[test]" is the folder ".".
func localPath(s string) (string, []string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ";"); i >= 0 { // markers
		s = strings.TrimSpace(s[:i])
	}
	extras := extrasOf(s)
	if i := strings.Index(s, "["); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s != "." && s != ".." && !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "../") {
		return "", nil, false
	}
	return path.Clean(s), extras, true
}

// extrasOf returns the normalized extras of "name[a,b]..." ("" when none).
func extrasOf(s string) []string {
	open := strings.Index(s, "[")
	if open < 0 {
		return nil
	}
	end := strings.Index(s[open:], "]")
	if end < 0 {
		return nil
	}
	var out []string
	for _, e := range strings.Split(s[open+1:open+end], ",") {
		if e = NormalizeName(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// LocalRequirementPaths returns the local folders a requirements file
// installs from (./pkg, ../lib, -e ., .[test], -e ./pkg, file:./pkg), cleaned
// and relative, so the install layer can include them and nothing else of
// the source.
func LocalRequirementPaths(requirements string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range parseRequirements(requirements).Requirements {
		if r.Path != "" && !seen[r.Path] {
			seen[r.Path] = true
			out = append(out, r.Path)
		}
	}
	return out
}

// readRequirementsTree reads file and the files it includes (-r, relative to
// the including file), returning their requirements and the included files.
func readRequirementsTree(fsys fs.FS, file string) ([]requirement, []string, error) {
	if fsys == nil {
		return nil, nil, fmt.Errorf("%s: no source folder to read it from", file)
	}
	var reqs []requirement
	var includes []string
	seen := map[string]bool{file: true}
	queue := []string{file}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, nil, readError(f, err)
		}
		parsed := parseRequirements(string(data))
		reqs = append(reqs, parsed.Requirements...)
		for _, inc := range parsed.Includes {
			if strings.Contains(inc, "://") {
				reqs = append(reqs, requirement{URL: true})
				continue
			}
			name := path.Join(path.Dir(f), filepath.ToSlash(inc))
			switch {
			case outside(name) || path.IsAbs(name):
				return nil, nil, fmt.Errorf("%s includes %s, outside the source folder: onepipe uploads only --source, so move it inside or widen --source", f, inc)
			case !isFile(fsys, name):
				return nil, nil, fmt.Errorf("%s includes %s, which is not in the source folder: fix its -r line", f, inc)
			case seen[name]:
				continue
			}
			seen[name] = true
			includes = append(includes, name)
			queue = append(queue, name)
		}
	}
	return reqs, includes, nil
}
