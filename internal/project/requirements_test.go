package project

import (
	"slices"
	"strings"
	"testing"
)

func TestLocalRequirementPaths(t *testing.T) {
	tests := []struct {
		name, req string
		want      []string
	}{
		{"mixed file", "flask>=2\n./packages/greetkit\n-e ./libs/core # editable\nfile:./vendored[extra]\n../shared\n./packages/greetkit/\nhttps://x/y.whl\n# ./comment\n",
			[]string{"packages/greetkit", "libs/core", "vendored", "../shared"}},
		{"editable dot", "-e .\n", []string{"."}},
		{"dot with extras", ".[test]\n", []string{"."}},
		{"editable dot with extras", "-e .[test,dev]\n", []string{"."}},
		{"dot slash with extras", "./[test]\n", []string{"."}},
		{"file dot", "file:.\n", []string{"."}},
		{"editable file dot", "-e file:.[test]\n", []string{"."}},
		{"long editable option", "--editable=./pkg\n--editable ./other\n", []string{"pkg", "other"}},
		{"extras and marker", "./pkg[x]; python_version>\"3\"\n", []string{"pkg"}},
		{"marker only", "./pkg ; sys_platform == 'linux'\n", []string{"pkg"}},
		{"direct reference to a folder", "greetkit @ file:./packages/greetkit\n", []string{"packages/greetkit"}},
		{"continued line", "./pk\\\ng\n", []string{"pkg"}},
		{"hash option", "./pkg --hash=sha256:abc\n", []string{"pkg"}},
		{"names and urls are no paths", "flask\nname @ https://x/y.whl\ngit+https://x/y.git#egg=y\n/abs/path\n-r other.txt\n-c constraints.txt\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LocalRequirementPaths(tt.req)
			if !slices.Equal(got, tt.want) {
				t.Errorf("LocalRequirementPaths(%q) = %q, want %q", tt.req, got, tt.want)
			}
		})
	}
}

func TestParseRequirements(t *testing.T) {
	text := "-r base.txt\n--requirement=more.txt\n-rtight.txt\n" +
		"-i https://pypi.org/simple\n--index-url https://x\n-c constraints.txt\n" +
		"Flask-SQLAlchemy[async]>=3 ; python_version >= '3.8'  # db\n" +
		"pytest_cov\\\n  >=4\n" +
		"-e .[Test_Extra]\n" +
		"git+https://github.com/x/y.git#egg=Some.Pkg\n"
	got := parseRequirements(text)
	if want := []string{"base.txt", "more.txt", "tight.txt"}; !slices.Equal(got.Includes, want) {
		t.Errorf("Includes = %q, want %q", got.Includes, want)
	}
	var names []string
	for _, r := range got.Requirements {
		names = append(names, r.Name)
	}
	if want := []string{"flask-sqlalchemy", "pytest-cov", "", "some-pkg"}; !slices.Equal(names, want) {
		t.Fatalf("names = %q, want %q", names, want)
	}
	if r := got.Requirements[0]; r.Spec != "Flask-SQLAlchemy[async]>=3 ; python_version >= '3.8'" || !slices.Equal(r.Extras, []string{"async"}) {
		t.Errorf("first = %+v", r)
	}
	if r := got.Requirements[2]; r.Path != "." || !slices.Equal(r.Extras, []string{"test-extra"}) {
		t.Errorf("editable = %+v", r)
	}
	if r := got.Requirements[3]; !r.URL {
		t.Errorf("vcs = %+v, want a URL", r)
	}
}

func TestRequirementName(t *testing.T) {
	for spec, want := range map[string]string{
		"pytest":                    "pytest",
		"PyTest>=7,<9":              "pytest",
		"flake8_bugbear[x]==23.1":   "flake8-bugbear",
		"zope.interface ; os_name":  "zope-interface",
		"  ruff":                    "ruff",
		"name @ https://x/name.whl": "name",
		"./pkg":                     "",
		"":                          "",
	} {
		if got := RequirementName(spec); got != want {
			t.Errorf("RequirementName(%q) = %q, want %q", spec, got, want)
		}
	}
}

func FuzzParseRequirements(f *testing.F) {
	f.Add("-e .[test]\nflask>=2 # c\n-r base.txt\n")
	f.Add("./pkg[x]; python_version>\"3\"\\\n")
	f.Add("--editable=\n-r\n[\n@\nname @ file:")
	f.Fuzz(func(t *testing.T, s string) {
		got := parseRequirements(s)
		for _, r := range got.Requirements {
			if r.Path != "" && (strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, "[;")) {
				t.Errorf("path %q from %q", r.Path, s)
			}
			if strings.ContainsAny(r.Name, " \n[") {
				t.Errorf("name %q from %q", r.Name, s)
			}
		}
	})
}
