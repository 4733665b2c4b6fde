package azure

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// PackagePlatform is the platform a zip package is built for: Azure
// Functions runs Python apps on Linux on x86-64 (there is no Arm hosting
// for them), so the wheels pip picks must be manylinux x86_64 ones even
// when the engine runs on an arm64 laptop.
const PackagePlatform = "linux/amd64"

// SitePackages is where the Functions host's Python worker looks for the
// app's dependencies, relative to the package root.
const SitePackages = ".python_packages/lib/site-packages"

// CheckFunctionPackage checks that a zip package has the layout the Python
// Functions host loads: host.json and the functions (function_app.py for the
// v2 programming model, <name>/function.json for v1) at the zip root, and
// every package of wantPkgs (import or distribution names) installed under
// SitePackages. Without that the host reports "1 function found, 0 function
// loaded": it finds the function but cannot import its dependencies.
func CheckFunctionPackage(r *zip.Reader, wantPkgs []string) error {
	names := map[string]bool{}
	for _, f := range r.File {
		n := f.Name
		switch {
		case strings.Contains(n, `\`):
			return fmt.Errorf("zip package: entry %q uses backslashes: the Linux host will not find it; build the zip with forward slashes (onepipe's package stage does)", n)
		case strings.HasPrefix(n, "/") || n == ".." || strings.HasPrefix(n, "../") || strings.Contains(n, "/../") || strings.HasSuffix(n, "/.."):
			return fmt.Errorf("zip package: entry %q points outside the app folder", n)
		}
		names[strings.TrimSuffix(n, "/")] = true
		for d := path.Dir(n); d != "." && d != "/"; d = path.Dir(d) {
			names[d] = true
		}
	}
	if !names["host.json"] {
		if dir := nestedUnder(names, "host.json"); dir != "" {
			return fmt.Errorf("zip package: host.json is under %s/, not at the zip root: zip the contents of the app folder, not the folder", dir)
		}
		return fmt.Errorf("zip package: no host.json at the zip root: the Functions host finds no app; add host.json to the app folder")
	}
	if !names["function_app.py"] && !hasV1Function(names) {
		if dir := nestedUnder(names, "function_app.py"); dir != "" {
			return fmt.Errorf("zip package: function_app.py is under %s/, not at the zip root: zip the contents of the app folder, not the folder", dir)
		}
		return fmt.Errorf("zip package: no functions at the zip root: neither function_app.py (Python v2 model) nor <name>/function.json (v1 model)")
	}
	if names["local.settings.json"] {
		return fmt.Errorf("zip package: local.settings.json is in the package: it holds local secrets and the host ignores it; leave it out")
	}
	var missing []string
	for _, p := range wantPkgs {
		if !hasPackage(names, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	msg := fmt.Sprintf("zip package: %s missing from %s/: the host would find the functions and load none (ModuleNotFoundError, \"0 functions loaded\"); install with pip install --target=%s -r requirements.txt",
		strings.Join(missing, ", "), SitePackages, SitePackages)
	if wrong := misplaced(names, missing[0]); wrong != "" {
		msg += fmt.Sprintf(" (%s is at %s instead)", missing[0], wrong)
	}
	return fmt.Errorf("%s", msg)
}

// nestedUnder returns the folder holding file one level down, if any.
func nestedUnder(names map[string]bool, file string) string {
	var dirs []string
	for n := range names {
		if path.Base(n) == file && strings.Count(n, "/") == 1 {
			dirs = append(dirs, path.Dir(n))
		}
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return ""
	}
	return dirs[0]
}

func hasV1Function(names map[string]bool) bool {
	for n := range names {
		if strings.Count(n, "/") == 1 && path.Base(n) == "function.json" && !strings.HasPrefix(n, ".") {
			return true
		}
	}
	return false
}

// hasPackage looks for pkg as an import package or module, or as a
// distribution (its .dist-info folder) under SitePackages.
func hasPackage(names map[string]bool, pkg string) bool {
	if names[SitePackages+"/"+pkg] || names[SitePackages+"/"+pkg+".py"] {
		return true
	}
	want := normalizeDist(pkg)
	for n := range names {
		dir, base := path.Split(n)
		if dir != SitePackages+"/" || !strings.HasSuffix(base, ".dist-info") {
			continue
		}
		dist, _, _ := strings.Cut(strings.TrimSuffix(base, ".dist-info"), "-")
		if normalizeDist(dist) == want {
			return true
		}
	}
	return false
}

// misplaced finds pkg installed somewhere other than SitePackages.
func misplaced(names map[string]bool, pkg string) string {
	var found []string
	for n := range names {
		if path.Base(n) == pkg && !strings.HasPrefix(n, SitePackages+"/") && strings.Contains(n, "site-packages") {
			found = append(found, path.Dir(n)+"/")
		}
	}
	sort.Strings(found)
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

// normalizeDist is a distribution name in the form wheel folders use.
func normalizeDist(s string) string {
	return strings.ToLower(strings.NewReplacer("-", "_", ".", "_").Replace(s))
}

var reqName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`)

// RequirementNames lists the distribution names a requirements file names.
// Options (-r, -e, --index-url, ...), paths, URLs and archives are skipped:
// they name no distribution without being built.
func RequirementNames(data []byte) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var line string
	for sc.Scan() {
		part := sc.Text()
		if strings.HasSuffix(part, `\`) {
			line += strings.TrimSuffix(part, `\`)
			continue
		}
		line += part
		if name := requirementName(line); name != "" && !seen[normalizeDist(name)] {
			seen[normalizeDist(name)] = true
			out = append(out, name)
		}
		line = ""
	}
	if name := requirementName(line); name != "" && !seen[normalizeDist(name)] {
		out = append(out, name)
	}
	return out
}

func requirementName(line string) string {
	if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
		line = line[:i]
	}
	line = strings.TrimSpace(line)
	lower := strings.ToLower(line)
	archive := !strings.Contains(line, "@") &&
		(strings.HasSuffix(lower, ".whl") || strings.HasSuffix(lower, ".zip") || strings.HasSuffix(lower, ".tar.gz"))
	switch {
	case line == "", archive, strings.HasPrefix(line, "-"), strings.HasPrefix(line, "."), strings.HasPrefix(line, "/"),
		strings.HasPrefix(line, "~"), strings.Contains(strings.SplitN(line, "@", 2)[0], "://"):
		return ""
	}
	name := reqName.FindString(line)
	if name == "" {
		return ""
	}
	rest := strings.TrimSpace(line[len(name):])
	if rest != "" && !strings.ContainsAny(rest[:1], "[<>=!~;@") {
		return "" // a path like pkgs/foo, not a requirement
	}
	return name
}
