package project

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLastFrom(t *testing.T) {
	tests := []struct {
		name, dockerfile, want string
	}{
		{"simple", "FROM python:3.11-slim\nRUN true\n", "python:3.11-slim"},
		{"lowercase and platform flag", "from --platform=$BUILDPLATFORM python:3.12\n", "python:3.12"},
		{"multi-stage last wins", "FROM golang:1.26 AS build\nFROM debian:bookworm-slim\n", "debian:bookworm-slim"},
		{"stage reference resolves", "FROM python:3.11-slim AS base\nRUN x\nFROM base\n", "python:3.11-slim"},
		{"arg image unknown", "ARG IMG=python\nFROM $IMG\n", ""},
		{"no from", "RUN echo\n", ""},
		{"from without image", "FROM\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LastFrom(tt.dockerfile); got != tt.want {
				t.Errorf("LastFrom() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsPythonImage(t *testing.T) {
	for ref, want := range map[string]bool{
		"python:3.11-slim":           true,
		"docker.io/library/python:3": true,
		"python":                     true,
		"python@sha256:abc":          true,
		"pythonista:1":               false,
		"debian:bookworm-slim":       false,
		"":                           false,
	} {
		if got := IsPythonImage(ref); got != want {
			t.Errorf("IsPythonImage(%q) = %v, want %v", ref, got, want)
		}
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "requirements.txt", "flask\n")
	write(t, dir, "requirements-dev.txt", "pytest\n")
	write(t, dir, "Dockerfile", "FROM python:3.12-slim\n")
	p, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Dockerfile != "Dockerfile" || p.BaseImage != "python:3.12-slim" {
		t.Errorf("Dockerfile=%q BaseImage=%q", p.Dockerfile, p.BaseImage)
	}
	if len(p.Requirements) != 1 || len(p.DevRequirements) != 1 || p.DevRequirements[0] != "requirements-dev.txt" {
		t.Errorf("requirements=%v dev=%v", p.Requirements, p.DevRequirements)
	}
	if err := p.RequireDockerfile(""); err != nil {
		t.Errorf("RequireDockerfile: %v", err)
	}
}

func TestInspectErrors(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(empty, "file")
	write(t, empty, "file", "x")
	tests := []struct {
		name, dir, want string
	}{
		{"missing folder", filepath.Join(empty, "nope"), "does not exist"},
		{"file not folder", file, "is a file"},
		{"not python", empty, "not a Python project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Inspect(tt.dir, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestRequirementOutsideSource(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "requirements.txt", "../lib\n")
	if _, err := Inspect(dir, ""); err == nil || !strings.Contains(err.Error(), "outside the source folder") {
		t.Errorf("err = %v", err)
	}
}

func TestMissingDockerfile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "pyproject.toml", "[project]\nname='x'\n")
	p, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	err = p.RequireDockerfile("")
	if !errors.Is(err, ErrNoDockerfile) {
		t.Fatalf("err = %v, want ErrNoDockerfile", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, "Dockerfile")) {
		t.Errorf("error %q does not name the missing file", err)
	}
}

func FuzzLastFrom(f *testing.F) {
	f.Add("FROM python:3.11 AS a\nFROM a\n")
	f.Add("FROM --platform=x\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := LastFrom(s)
		if strings.ContainsAny(got, " \n\t$") {
			t.Errorf("LastFrom returned %q", got)
		}
	})
}

func TestInspectFS(t *testing.T) {
	hatch := "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
	tests := []struct {
		name        string
		files       fstest.MapFS
		extra       string
		wantExtra   string
		wantReqs    []string
		wantPaths   []string
		wantInstall Install
	}{
		{
			name: "pyproject only, test extra",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\ndependencies = [\"flask>=3\"]\n" +
				"[project.optional-dependencies]\ndev = [\"black\"]\ntest = [\"pytest\"]\n")},
			wantExtra: "test", wantReqs: []string{"flask>=3", "pytest"}, wantInstall: InstallNoDeps,
		},
		{
			name: "tests extra when there is no test extra",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\n" +
				"[project.optional-dependencies]\ndev = [\"black\"]\ntests = [\"pytest\"]\n")},
			wantExtra: "tests", wantReqs: []string{"pytest"}, wantInstall: InstallNoDeps,
		},
		{
			name: "dev extra last",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\n" +
				"[project.optional-dependencies]\ndocs = [\"sphinx\"]\ndev = [\"pytest\"]\n")},
			wantExtra: "dev", wantReqs: []string{"pytest"}, wantInstall: InstallNoDeps,
		},
		{
			name: "onepipe.yaml names the extra",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\n" +
				"[project.optional-dependencies]\ntest = [\"pytest\"]\nci = [\"pytest\", \"pytest-cov\"]\n")},
			extra: "CI", wantExtra: "ci", wantReqs: []string{"pytest", "pytest-cov"}, wantInstall: InstallNoDeps,
		},
		{
			name: "no extras",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\ndependencies = [\"flask\"]\n"),
				"requirements-dev.txt": file("pytest\n")},
			wantReqs: []string{"flask"}, wantInstall: InstallNoDeps,
		},
		{
			name:     "no build system: an app, not a package",
			files:    fstest.MapFS{"pyproject.toml": file("[project]\nname = \"app\"\ndependencies = [\"flask\"]\n")},
			wantReqs: []string{"flask"}, wantInstall: InstallNone,
		},
		{
			name: "dynamic dependencies install with the project",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\ndynamic = [\"dependencies\"]\n" +
				"[project.optional-dependencies]\ntest = [\"pytest\"]\n")},
			wantExtra: "test", wantReqs: []string{"pytest"}, wantInstall: InstallWithDeps,
		},
		{
			name: "editable install in a requirement file",
			files: fstest.MapFS{"pyproject.toml": file(hatch + "[project]\nname = \"app\"\ndependencies = [\"flask\"]\n" +
				"[project.optional-dependencies]\ntest = [\"pytest\"]\n"),
				"requirements-dev.txt": file("-e .[test]\n")},
			wantExtra: "test", wantReqs: []string{"pytest"}, wantPaths: []string{"."}, wantInstall: InstallNone,
		},
		{
			name:     "tool settings only",
			files:    fstest.MapFS{"pyproject.toml": file("[tool.black]\n"), "requirements.txt": file("flask\n")},
			wantReqs: nil, wantInstall: InstallNone,
		},
		{
			name: "includes and local folders join the install layer",
			files: fstest.MapFS{"requirements.txt": file("-r requirements/base.txt\n"),
				"requirements/base.txt":   file("-r common.txt\n./libs/core\n"),
				"requirements/common.txt": file("flask\n"),
				"pyproject.toml":          file("[project]\nname = \"app\"\ndependencies = [\"greetkit @ file:./packages/greetkit\"]\n")},
			wantReqs:    []string{"greetkit @ file:./packages/greetkit"},
			wantPaths:   []string{"requirements/base.txt", "requirements/common.txt", "libs/core", "packages/greetkit"},
			wantInstall: InstallNone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := InspectFS(tt.files, "")
			if err == nil {
				p, err = p.WithTestSettings(tt.extra, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.TestExtra != tt.wantExtra || !slices.Equal(p.TestRequirements, tt.wantReqs) || p.Install != tt.wantInstall {
				t.Errorf("extra %q reqs %q install %q, want %q %q %q", p.TestExtra, p.TestRequirements, p.Install, tt.wantExtra, tt.wantReqs, tt.wantInstall)
			}
			if !slices.Equal(p.LocalPaths, tt.wantPaths) {
				t.Errorf("LocalPaths = %q, want %q", p.LocalPaths, tt.wantPaths)
			}
		})
	}
}

func TestInspectFSErrors(t *testing.T) {
	tests := []struct {
		name       string
		files      fstest.MapFS
		dockerfile string
		extra      string
		reqs       []string
		want       string
	}{
		{"not python", fstest.MapFS{"app.py": file("")}, "", "", nil, "the source folder is not a Python project: add requirements.txt"},
		{"bad pyproject", fstest.MapFS{"pyproject.toml": file("[project]\ndependencies = \"flask\"\n")}, "", "", nil, "pyproject.toml: [project] dependencies must be a list"},
		{"Dockerfile is a folder", fstest.MapFS{"requirements.txt": file(""), "Dockerfile/x": file("")}, "", "", nil, "cannot read Dockerfile: it is a folder"},
		{"dockerfile outside", fstest.MapFS{"requirements.txt": file("")}, "../Dockerfile", "", nil, "dockerfile ../Dockerfile is outside the source folder"},
		{"include outside", fstest.MapFS{"requirements.txt": file("-r ../base.txt\n")}, "", "", nil, "requirements.txt includes ../base.txt, outside the source folder"},
		{"include missing", fstest.MapFS{"requirements.txt": file("-r base.txt\n")}, "", "", nil, "requirements.txt includes base.txt, which is not in the source folder"},
		{"pyproject path outside", fstest.MapFS{"pyproject.toml": file("[project]\ndependencies = [\"x @ file:../x\"]\n")}, "", "", nil, "outside the source folder"},
		{"extra not declared", fstest.MapFS{"pyproject.toml": file("[project]\n[project.optional-dependencies]\ndev = []\ndocs = []\n")}, "", "testing", nil, `test.extra "testing": pyproject.toml declares no such extra (its extras: dev, docs)`},
		{"extra without pyproject", fstest.MapFS{"requirements.txt": file("")}, "", "test", nil, "has no pyproject.toml"},
		{"extra without project table", fstest.MapFS{"pyproject.toml": file("[tool.x]\n")}, "", "test", nil, "has no [project] table"},
		{"test requirements missing", fstest.MapFS{"requirements.txt": file("")}, "", "", []string{"requirements-ci.txt"}, "test.requirements: requirements-ci.txt is not a file in the source folder"},
		{"test requirements outside", fstest.MapFS{"requirements.txt": file("")}, "", "", []string{"../ci.txt"}, "test.requirements: ../ci.txt is outside the source folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := InspectFS(tt.files, tt.dockerfile)
			if err == nil {
				_, err = p.WithTestSettings(tt.extra, tt.reqs)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestWithTestSettingsAddsFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"requirements.txt":        file("flask\n"),
		"requirements-dev.txt":    file("pytest\n"),
		"ci/requirements-ci.txt":  file("-e ./tools/plugin\n"),
		"tools/plugin/setup.py":   file(""),
		"requirements-extra.txt":  file(""),
		"requirements-extra2.txt": file(""),
	}
	p, err := InspectFS(fsys, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err = p.WithTestSettings("", []string{"./ci/requirements-ci.txt", "requirements-dev.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"requirements-dev.txt", "ci/requirements-ci.txt"}; !slices.Equal(p.DevRequirements, want) {
		t.Errorf("DevRequirements = %q, want %q", p.DevRequirements, want)
	}
	if want := []string{"tools/plugin"}; !slices.Equal(p.LocalPaths, want) {
		t.Errorf("LocalPaths = %q, want %q", p.LocalPaths, want)
	}
}

func TestInspectUnreadableDockerfile(t *testing.T) {
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "requirements.txt", "flask\n")
		if err := os.Mkdir(filepath.Join(dir, "Dockerfile"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Inspect(dir, "")
		if err == nil || !strings.HasPrefix(err.Error(), "cannot read Dockerfile: ") {
			t.Fatalf("err = %v, want cannot read Dockerfile: ...", err)
		}
	})
	t.Run("permission", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		dir := t.TempDir()
		write(t, dir, "requirements.txt", "flask\n")
		write(t, dir, "Dockerfile", "FROM python:3.12\n")
		if err := os.Chmod(filepath.Join(dir, "Dockerfile"), 0); err != nil {
			t.Fatal(err)
		}
		_, err := Inspect(dir, "")
		if err == nil || !strings.HasPrefix(err.Error(), "cannot read Dockerfile: permission denied") {
			t.Fatalf("err = %v, want cannot read Dockerfile: permission denied", err)
		}
	})
	t.Run("absolute path inside the source", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "requirements.txt", "flask\n")
		write(t, dir, "Dockerfile.prod", "FROM python:3.12\n")
		p, err := Inspect(dir, filepath.Join(dir, "Dockerfile.prod"))
		if err != nil || p.Dockerfile != "Dockerfile.prod" || p.BaseImage != "python:3.12" {
			t.Fatalf("Inspect = %+v, %v", p, err)
		}
	})
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// testdata/pyproject-app is the pyproject-only app the pipeline is tried on.
func TestInspectPyProjectApp(t *testing.T) {
	p, err := Inspect(filepath.Join("testdata", "pyproject-app"), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Package == nil || p.Package.Name != "greeter" || p.TestExtra != "test" || p.Install != InstallNoDeps {
		t.Errorf("package %+v extra %q install %q", p.Package, p.TestExtra, p.Install)
	}
	if want := []string{"flask>=2.2,<4", "pytest>=7,<9"}; !slices.Equal(p.TestRequirements, want) {
		t.Errorf("TestRequirements = %q, want %q", p.TestRequirements, want)
	}
	if err := p.MissingTestTool(nil); err != nil {
		t.Errorf("MissingTestTool = %v", err)
	}
	if got := p.Linter(""); got.Tool != Ruff {
		t.Errorf("Linter = %+v, want ruff", got)
	}
	if got := p.LintRequirements(); !slices.Equal(got, []string{"flake8>=5,<8"}) {
		t.Errorf("LintRequirements = %q", got)
	}
	if len(p.Requirements)+len(p.DevRequirements)+len(p.LocalPaths) != 0 || p.Dockerfile != "" {
		t.Errorf("requirement files %q %q %q, Dockerfile %q", p.Requirements, p.DevRequirements, p.LocalPaths, p.Dockerfile)
	}
}
