package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var summaryRow = regexp.MustCompile(`(?m)^(test|lint|pack|publish)\s+(passed|failed|failed \(allowed\)|cancelled|skipped)\s+(\d+\.\ds|-)`)

func TestRunExamples(t *testing.T) {
	needEngine(t)
	for _, app := range []string{"tornado", "flask"} {
		t.Run(app, func(t *testing.T) {
			out := t.TempDir()
			r := onepipe(t, nil, "run", "--source", filepath.Join("examples", app), "--out", out)
			if r.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nlast stderr line: %s", r.code, r.stdout, lastLine(r.stderr))
			}
			junit := mustRead(t, filepath.Join(out, "junit.xml"))
			if n := strings.Count(junit, "<testcase"); n < 3 {
				t.Errorf("junit.xml has %d testcases, want at least 3", n)
			}
			mustRead(t, filepath.Join(out, "lint.txt"))
			if !strings.Contains(mustRead(t, filepath.Join(out, "lint-junit.xml")), "<testsuite") {
				t.Error("lint-junit.xml is not a JUnit report")
			}
			rows := summaryRow.FindAllStringSubmatch(r.stdout, -1)
			seen := map[string]string{}
			for _, row := range rows {
				seen[row[1]] = row[2] + " " + row[3]
			}
			for _, stage := range []string{"test", "lint", "pack"} {
				if !strings.HasPrefix(seen[stage], "passed ") {
					t.Errorf("summary row for %s = %q\n%s", stage, seen[stage], r.stdout)
				}
			}
		})
	}
}

func TestFailingTest(t *testing.T) {
	needEngine(t)
	src := copyApp(t, "tornado")
	test := filepath.Join(src, "tests", "test_app.py")
	broken := strings.Replace(mustRead(t, test), `self.fetch("/nope").code, 404`, `self.fetch("/nope").code, 418`, 1)
	writeFile(t, test, broken)
	out := t.TempDir()
	r := onepipe(t, []string{"GIT_DIR=/nonexistent"}, "run", "--source", src, "--out", out)
	if r.code == 0 {
		t.Fatalf("exit 0 with a failing test\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout+r.stderr, "test_unknown_path_is_404") {
		t.Errorf("failing test not named:\n%s\n%s", r.stdout, lastLine(r.stderr))
	}
	junit := mustRead(t, filepath.Join(out, "junit.xml"))
	if !strings.Contains(junit, "test_unknown_path_is_404") || !strings.Contains(junit, "<failure") {
		t.Error("junit.xml does not record the failure")
	}
}

func TestMissingDockerfile(t *testing.T) {
	needEngine(t)
	src := copyApp(t, "tornado")
	removeFile(t, filepath.Join(src, "Dockerfile"))
	r := onepipe(t, nil, "run", "--source", src, "--out", t.TempDir())
	if r.code == 0 {
		t.Fatal("exit 0 without a Dockerfile")
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], filepath.Join(src, "Dockerfile")+" not found") {
		t.Errorf("want one line naming the Dockerfile, got %q", r.stderr)
	}
}

func TestBrokenDockerfileNamesTheStep(t *testing.T) {
	needEngine(t)
	src := copyApp(t, "tornado")
	writeFile(t, filepath.Join(src, "Dockerfile"), "FROM python:3.11-slim\nRUN exit 3\n")
	r := onepipe(t, nil, "pack", "--source", src)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	last := lastLine(r.stderr)
	if !strings.HasPrefix(last, "onepipe: pack") || !strings.Contains(last, "exit 3") {
		t.Errorf("last line %q does not name the failing step", last)
	}
}

func TestExportImageAsOCITarball(t *testing.T) {
	needEngine(t)
	out := t.TempDir()
	r := onepipe(t, nil, "pack", "--source", "examples/tornado", "--export-image", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLine(r.stderr))
	}
	list, err := exec.Command("tar", "-tf", filepath.Join(out, "image.tar")).Output()
	if err != nil {
		t.Fatalf("image.tar is not a tarball: %v", err)
	}
	for _, want := range []string{"oci-layout", "index.json", "blobs/sha256/"} {
		if !strings.Contains(string(list), want) {
			t.Errorf("image.tar lacks %s:\n%s", want, list)
		}
	}
}
