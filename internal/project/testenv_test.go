package project

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMissingTestTool(t *testing.T) {
	hatch := "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
	tests := []struct {
		name    string
		files   fstest.MapFS
		command []string
		want    string // "" when pytest is there (or cannot be known)
	}{
		{"in requirements-dev.txt", fstest.MapFS{"requirements.txt": file("flask\n"), "requirements-dev.txt": file("PyTest>=7\n")}, nil, ""},
		{"a plugin brings it", fstest.MapFS{"requirements.txt": file("flask\n"), "requirements-dev.txt": file("pytest_django\n")}, nil, ""},
		{"through an include", fstest.MapFS{"requirements.txt": file("flask\n"), "requirements-dev.txt": file("-r requirements/test.txt\n"), "requirements/test.txt": file("pytest\n")}, nil, ""},
		{"in the test extra", fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"a\"\n[project.optional-dependencies]\ntest = [\"pytest\"]\n")}, nil, ""},
		{"in the extra of -e .[test]", fstest.MapFS{"requirements.txt": file("-e .[test]\n"), "pyproject.toml": file(hatch + "[project]\nname = \"a\"\n[project.optional-dependencies]\ntest = [\"pytest\"]\n")}, nil, ""},
		{"in a local package's dependencies", fstest.MapFS{"requirements.txt": file("./tools\n"), "tools/pyproject.toml": file("[project]\nname = \"t\"\ndependencies = [\"pytest\"]\n")}, nil, ""},
		{"a custom command", fstest.MapFS{"requirements.txt": file("flask\n")}, []string{"python", "-m", "unittest"}, ""},
		{"a URL may bring it", fstest.MapFS{"requirements.txt": file("https://example.com/x.tar.gz\n")}, nil, ""},
		{"a setup.py package may bring it", fstest.MapFS{"requirements.txt": file("./tools\n"), "tools/setup.py": file("")}, nil, ""},
		{"dynamic dependencies may bring it", fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"a\"\ndynamic = [\"dependencies\"]\n")}, nil, ""},

		{"requirements-dev.txt without it", fstest.MapFS{"requirements.txt": file("flask\n"), "requirements-dev.txt": file("flake8\n")}, nil,
			"test: pytest is not installed: add pytest to requirements-dev.txt"},
		{"requirements.txt only", fstest.MapFS{"requirements.txt": file("./packages/greetkit\n"), "packages/greetkit/pyproject.toml": file("[project]\nname = \"greetkit\"\n")}, nil,
			"test: pytest is not installed: add pytest to requirements-dev.txt (the tests' requirements; requirements.txt is what the app needs to run)"},
		{"dev file and pyproject", fstest.MapFS{"requirements-dev.txt": file("flake8\n"), "pyproject.toml": file(hatch + "[project]\nname = \"a\"\n")}, nil,
			"test: pytest is not installed: add pytest to requirements-dev.txt (or to the test extra of pyproject.toml)"},
		{"pyproject only, dev extra without it", fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"a\"\n[project.optional-dependencies]\ndev = [\"black\"]\n")}, nil,
			"test: pytest is not installed: add pytest to the dev extra of pyproject.toml ([project.optional-dependencies] dev = [\"pytest\"]) or to requirements-dev.txt"},
		{"pyproject only, no extras", fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"a\"\ndependencies = [\"flask\"]\n")}, nil,
			"test: pytest is not installed: add pytest to the test extra of pyproject.toml ([project.optional-dependencies] test = [\"pytest\"]) or to requirements-dev.txt"},
		{"only in an extra not installed", fstest.MapFS{"requirements.txt": file("flask\n"), "pyproject.toml": file(hatch + "[project]\nname = \"a\"\n[project.optional-dependencies]\nci = [\"pytest\"]\n")}, nil,
			"add pytest to requirements-dev.txt (or to the test extra of pyproject.toml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := InspectFS(tt.files, "")
			if err != nil {
				t.Fatal(err)
			}
			err = p.MissingTestTool(tt.command)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("MissingTestTool = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.want)):
				t.Errorf("MissingTestTool = %v, want %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestMissingTestToolFollowsTestSettings(t *testing.T) {
	p, err := InspectFS(fstest.MapFS{
		"requirements.txt":    file("flask\n"),
		"ci/requirements.txt": file("pytest\n"),
		"pyproject.toml":      file("[project]\nname = \"a\"\n[project.optional-dependencies]\nci = [\"pytest\"]\n"),
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.MissingTestTool(nil) == nil {
		t.Fatal("want pytest missing before the settings")
	}
	for _, s := range []struct {
		extra string
		files []string
	}{{"ci", nil}, {"", []string{"ci/requirements.txt"}}} {
		q, err := p.WithTestSettings(s.extra, s.files)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.MissingTestTool(nil); err != nil {
			t.Errorf("WithTestSettings(%q, %q): MissingTestTool = %v", s.extra, s.files, err)
		}
	}
}

// Every example runs its tests with the default command: each must declare pytest.
func TestExamplesDeclarePytest(t *testing.T) {
	for _, app := range []string{"flask", "tornado", "azure-function"} {
		p, err := Inspect(filepath.Join("..", "..", "examples", app), "")
		if err != nil {
			t.Fatalf("%s: %v", app, err)
		}
		if err := p.MissingTestTool(nil); err != nil {
			t.Errorf("examples/%s: %v", app, err)
		}
	}
}
