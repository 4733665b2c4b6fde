package pipeline

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/azure"
)

const azureExample = "../examples/azure-function"

func TestAzurePackageCommands(t *testing.T) {
	tests := []struct {
		opts        AzurePackageOptions
		wantInstall []string
		wantExclude []string
	}{
		{AzurePackageOptions{},
			[]string{"python3", "-m", "pip", "install", "--no-compile", "--target=.python_packages/lib/site-packages", "-r", "requirements.txt"}, nil},
		{AzurePackageOptions{Requirements: "req/prod.txt", Wheelhouse: "wheels/", Exclude: []string{"docs"}},
			[]string{"python3", "-m", "pip", "install", "--no-compile", "--target=.python_packages/lib/site-packages", "-r", "req/prod.txt", "--no-index", "--find-links", "wheels/"},
			[]string{"docs", "wheels"}},
		{AzurePackageOptions{NoIndex: true},
			[]string{"python3", "-m", "pip", "install", "--no-compile", "--target=.python_packages/lib/site-packages", "-r", "requirements.txt", "--no-index"}, nil},
	}
	for _, tt := range tests {
		cmds := azurePackageCommands(tt.opts, "/bin/pack.py", "/src", "/out/app.zip")
		if len(cmds) != 2 || !reflect.DeepEqual(cmds[0], tt.wantInstall) {
			t.Errorf("install = %q, want %q", cmds[0], tt.wantInstall)
		}
		pack := cmds[1]
		if !reflect.DeepEqual(pack[:4], []string{"python3", "/bin/pack.py", "/src", "/out/app.zip"}) {
			t.Errorf("pack argv %q", pack)
		}
		if got := pack[4:]; len(got) != len(tt.wantExclude) || (len(got) > 0 && !reflect.DeepEqual(got, tt.wantExclude)) {
			t.Errorf("excludes %q, want %q", got, tt.wantExclude)
		}
	}
}

// TestAzurePackageOnHost runs the package commands on this machine's
// python3 (offline: --no-index) in a copy of examples/azure-function with
// local junk added, and checks the zip the way the pipeline does.
func TestAzurePackageOnHost(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on this machine")
	}
	if err := exec.Command("python3", "-m", "pip", "--version").Run(); err != nil {
		t.Skip("python3 has no pip on this machine")
	}
	dir := t.TempDir()
	azureCopyTree(t, azureExample, dir)
	for _, junk := range []string{".venv/lib/junk.py", "__pycache__/hello.cpython-311.pyc", ".env", "tests/__pycache__/t.pyc"} {
		azureWriteFile(t, filepath.Join(dir, junk), "junk")
	}
	tmp := t.TempDir()
	script, out := filepath.Join(tmp, "zip_package.py"), filepath.Join(tmp, "app.zip")
	azureWriteFile(t, script, azurePackScript)
	for _, argv := range azurePackageCommands(AzurePackageOptions{NoIndex: true}, script, dir, out) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PIP_DISABLE_PIP_VERSION_CHECK=1", "PYTHONDONTWRITEBYTECODE=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", argv[:4], err, b)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkAzureExampleZip(t, data)

	// The same folder zips to the same bytes.
	again := filepath.Join(t.TempDir(), "again.zip")
	pack := azurePackageCommands(AzurePackageOptions{}, script, dir, again)[1]
	if b, err := exec.Command(pack[0], pack[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pack again: %v\n%s", err, b)
	}
	if data2, _ := os.ReadFile(again); !bytes.Equal(data, data2) {
		t.Error("zipping the same folder twice gave different zips")
	}
}

// checkAzureExampleZip opens the package of examples/azure-function and
// checks the layout the Functions host loads.
func checkAzureExampleZip(t *testing.T, data []byte) {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	if err := azure.CheckFunctionPackage(r, []string{"greetkit"}); err != nil {
		t.Fatal(err)
	}
	var names []string
	root := map[string]bool{}
	for _, f := range r.File {
		names = append(names, f.Name)
		root[strings.SplitN(f.Name, "/", 2)[0]] = true
	}
	sort.Strings(names)
	for _, want := range []string{"function_app.py", "hello.py", "host.json", "requirements.txt",
		".python_packages/lib/site-packages/greetkit/__init__.py"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("zip lacks %s; it has %q", want, names)
		}
	}
	for _, bad := range []string{"tests", "local.settings.json", ".venv", ".env", "__pycache__", ".funcignore", "onepipe.yaml", "README.md"} {
		if root[bad] {
			t.Errorf("zip root has %s", bad)
		}
	}
	for _, n := range names {
		if strings.Contains(n, "__pycache__") || strings.HasSuffix(n, ".pyc") {
			t.Errorf("zip has bytecode %s", n)
		}
	}
}

func azureCopyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			if d.Name() == "__pycache__" || d.Name() == ".python_packages" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func azureWriteFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
