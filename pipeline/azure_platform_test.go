package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"dagger.io/dagger"
)

// TestAzurePackagePlatform: the package is built on the Function App's
// platform (linux/amd64: Azure Functions runs Python on x86-64 Linux only),
// not the engine's, so an arm64 laptop never ships aarch64 wheels; the zip
// step checks the machine it runs on.
func TestAzurePackagePlatform(t *testing.T) {
	if got := (AzurePackageOptions{}).platform(); got != "linux/amd64" {
		t.Errorf("default platform %q, want linux/amd64", got)
	}
	if got := (AzurePackageOptions{Platform: "linux/arm64"}).platform(); got != "linux/arm64" {
		t.Errorf("platform %q", got)
	}
	for p, m := range map[dagger.Platform]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"} {
		if azureMachines[p] != m {
			t.Errorf("machine of %s = %q, want %q", p, azureMachines[p], m)
		}
	}
}

// TestAzurePackScriptRefusesAnotherMachine runs the zip step on this
// machine's python3 as if it had to build for another machine.
func TestAzurePackScriptRefusesAnotherMachine(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 on this machine")
	}
	dir, tmp := t.TempDir(), t.TempDir()
	azureCopyTree(t, azureExample, dir)
	script := filepath.Join(tmp, "zip_package.py")
	azureWriteFile(t, script, azurePackScript)
	other := "aarch64"
	if runtime.GOARCH == "arm64" {
		other = "x86_64"
	}
	cmd := exec.Command("python3", script, dir, filepath.Join(tmp, "app.zip"))
	cmd.Env = append(os.Environ(), "ONEPIPE_MACHINE="+other)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "but the Function App runs on "+other+": its wheels would not load there") {
		t.Errorf("zip step on the wrong machine: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "app.zip")); err == nil {
		t.Error("the zip step wrote a package anyway")
	}
}
