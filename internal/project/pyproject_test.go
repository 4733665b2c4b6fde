package project

import (
	"slices"
	"strings"
	"testing"
)

func TestParsePyProject(t *testing.T) {
	doc := `
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "My_App"
dependencies = [
  "flask>=3",   # web
  'requests ; python_version > "3.8"',
]
dynamic = ["version"]

[project.optional-dependencies]
Test = ["pytest>=7", "my-app[lint]"]
lint = ["flake8", "flake8-bugbear"]

[tool.ruff]
line-length = 100
`
	py, err := parsePyProject(doc)
	if err != nil {
		t.Fatal(err)
	}
	pk := py.Package
	if pk == nil || pk.Name != "my-app" || !pk.Buildable || !py.Ruff {
		t.Fatalf("parsePyProject = %+v, package %+v", py, pk)
	}
	if want := []string{"flask>=3", `requests ; python_version > "3.8"`}; !slices.Equal(pk.Dependencies, want) {
		t.Errorf("Dependencies = %q, want %q", pk.Dependencies, want)
	}
	if got := pk.ExtraNames(); !slices.Equal(got, []string{"lint", "test"}) {
		t.Errorf("ExtraNames = %q", got)
	}
	// the test extra's reference to the project's own lint extra is expanded
	want := []string{"flask>=3", `requests ; python_version > "3.8"`, "pytest>=7", "flake8", "flake8-bugbear"}
	if got := pk.requirements(true, []string{"test"}); !slices.Equal(got, want) {
		t.Errorf("requirements(test) = %q, want %q", got, want)
	}
	if got := pk.requirements(false, []string{"lint"}); !slices.Equal(got, []string{"flake8", "flake8-bugbear"}) {
		t.Errorf("requirements(lint) = %q", got)
	}
}

func TestParsePyProjectShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		pkg, ruff bool
		buildable bool
	}{
		{"tool config only", "[tool.black]\nline-length = 88\n", false, false, false},
		{"ruff subtable only", "[tool.ruff.lint]\nselect = [\"E\"]\n", false, true, false},
		{"project without build system", "[project]\nname = \"app\"\ndependencies = [\"flask\"]\n", true, false, false},
		{"build system without backend", "[build-system]\nrequires = [\"setuptools\"]\n[project]\nname = \"app\"\n", true, false, false},
		{"inline optional dependencies", "[project]\nname = \"a\"\noptional-dependencies = { test = [\"pytest\"] }\n", true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			py, err := parsePyProject(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if (py.Package != nil) != tt.pkg || py.Ruff != tt.ruff {
				t.Errorf("package %v ruff %v, want %v %v", py.Package != nil, py.Ruff, tt.pkg, tt.ruff)
			}
			if py.Package != nil && py.Package.Buildable != tt.buildable {
				t.Errorf("Buildable = %v, want %v", py.Package.Buildable, tt.buildable)
			}
		})
	}
}

func TestParsePyProjectErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"bad toml", "[project\nname = 1\n", "to end table name"},
		{"dependencies a string", "[project]\ndependencies = \"flask\"\n", "[project] dependencies must be a list of strings"},
		{"dependency a number", "[project]\ndependencies = [1]\n", "must be a list of strings"},
		{"dependency an option", "[project]\ndependencies = [\"--index-url=https://evil\"]\n", `"--index-url=https://evil" is not a requirement`},
		{"extras not a table", "[project]\noptional-dependencies = [\"x\"]\n", "[project.optional-dependencies] must be a table"},
		{"extra not a list", "[project.optional-dependencies]\ntest = \"pytest\"\n", "[project.optional-dependencies] test must be a list"},
		{"project not a table", "project = 1\n", "project must be a table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePyProject(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.Contains(msg, "[]interface") || strings.Contains(msg, "slice") || strings.Contains(msg, "int64") {
				t.Errorf("error is not one plain line: %q", msg)
			}
		})
	}
}

func FuzzParsePyProject(f *testing.F) {
	f.Add("[project]\nname = \"a\"\ndependencies = [\"b\"]\n[project.optional-dependencies]\ntest = [\"a[test]\"]\n")
	f.Add("[tool.ruff]\n")
	f.Fuzz(func(t *testing.T, s string) {
		py, err := parsePyProject(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		if py.Package != nil {
			for _, e := range py.Package.ExtraNames() {
				py.Package.requirements(true, []string{e}) // terminates on self references
			}
		}
	})
}
