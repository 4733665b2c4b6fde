package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/versions"
)

// AzurePackageOptions shape the zip package of a Python Function App.
type AzurePackageOptions struct {
	// PythonImage is the image pip runs in (versions.AzurePythonImage(versions.AzurePython) if empty).
	PythonImage string
	// Requirements is the requirements file, relative to the source (default requirements.txt).
	Requirements string
	// Wheelhouse is a folder of wheels in the source; when set, pip installs
	// from it alone (--no-index --find-links) and it stays out of the zip.
	Wheelhouse string
	// NoIndex forbids pip any package index (requirements must be local paths).
	NoIndex bool
	// Exclude are more names or globs kept out of the zip (like .funcignore lines).
	Exclude []string
	// Platform is the platform pip runs on, so the wheels it picks are the
	// Function App's (default azure.PackagePlatform, linux/amd64, whatever
	// the engine's own platform: an arm64 laptop must not ship arm64 wheels).
	Platform dagger.Platform
}

// azureMachines are the machine names Python reports (platform.machine())
// on the platforms a package may be built for.
var azureMachines = map[dagger.Platform]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"}

// platform is the package's platform, default azure.PackagePlatform.
func (o AzurePackageOptions) platform() dagger.Platform {
	if o.Platform == "" {
		return dagger.Platform(azure.PackagePlatform)
	}
	return o.Platform
}

const (
	azureBuildDir   = "/onepipe/app"
	azureZipPath    = "/onepipe/out/app.zip"
	azureScriptPath = "/onepipe/bin/zip_package.py"
)

// azureSourceExcludes never reach the build container: local environments
// and a stale .python_packages would otherwise end up in the package.
var azureSourceExcludes = []string{
	".git", ".venv", "venv", "**/__pycache__", "**/*.pyc", ".python_packages",
	".pytest_cache", ".mypy_cache", ".ruff_cache", ".onepipe",
}

// AzureFunctionPackage builds the zip package of the Python Function App in
// src, in pythonImage (versions.AzurePythonImage(versions.AzurePython) if empty), the way the
// Functions host loads it; see AzureFunctionPackageWith.
func AzureFunctionPackage(client *dagger.Client, src *dagger.Directory, pythonImage string) *dagger.File {
	return AzureFunctionPackageWith(client, src, AzurePackageOptions{PythonImage: pythonImage})
}

// AzureFunctionPackageWith builds the zip package: the app's dependencies
// installed with `pip install --target=.python_packages/lib/site-packages -r
// requirements.txt` in the app's Python image on the Function App's
// platform (opts.Platform: linux/amd64, emulated on an arm64 engine), then
// the app folder zipped with its function code at the zip root, leaving out
// tests, local environments, local.settings.json and what .funcignore
// lists. The zip step fails when Python runs on another machine than the
// platform's (an engine that cannot run it).
func AzureFunctionPackageWith(client *dagger.Client, src *dagger.Directory, opts AzurePackageOptions) *dagger.File {
	image := opts.PythonImage
	if image == "" {
		image = versions.AzurePythonImage(versions.AzurePython)
	}
	platform := opts.platform()
	cache := strings.NewReplacer("/", "-", ":", "-", "@", "-").Replace(image + "-" + string(platform))
	ctr := client.Container(dagger.ContainerOpts{Platform: platform}).From(image).
		WithEnvVariable("ONEPIPE_MACHINE", azureMachines[platform]).
		WithEnvVariable("PIP_DISABLE_PIP_VERSION_CHECK", "1").
		WithEnvVariable("PIP_ROOT_USER_ACTION", "ignore").
		WithEnvVariable("PYTHONDONTWRITEBYTECODE", "1").
		WithMountedCache("/root/.cache/pip", client.CacheVolume("onepipe-azure-pip-"+cache)).
		WithNewFile(azureScriptPath, azurePackScript).
		WithDirectory(azureBuildDir, src, dagger.ContainerWithDirectoryOpts{Exclude: azureSourceExcludes}).
		WithWorkdir(azureBuildDir)
	for _, argv := range azurePackageCommands(opts, azureScriptPath, azureBuildDir, azureZipPath) {
		ctr = ctr.WithExec(argv)
	}
	return ctr.File(azureZipPath)
}

// azurePackageCommands are the two commands that build the package in dir
// (the working directory) and write the zip to out with the script at script.
func azurePackageCommands(opts AzurePackageOptions, script, dir, out string) [][]string {
	req := opts.Requirements
	if req == "" {
		req = "requirements.txt"
	}
	install := []string{"python3", "-m", "pip", "install", "--no-compile", "--target=" + azure.SitePackages, "-r", req}
	exclude := append([]string{}, opts.Exclude...)
	switch {
	case opts.Wheelhouse != "":
		install = append(install, "--no-index", "--find-links", opts.Wheelhouse)
		exclude = append(exclude, strings.TrimSuffix(opts.Wheelhouse, "/"))
	case opts.NoIndex:
		install = append(install, "--no-index")
	}
	pack := append([]string{"python3", script, dir, out}, exclude...)
	return [][]string{install, pack}
}

// AzureBuildFunctionZip builds the package, exports it and checks its layout
// with azure.CheckFunctionPackage (wantPkgs must be installed), so a package
// the host would load no function from never reaches Azure. It returns the
// zip, ready for (*azure.Kudu).ZipDeploy.
func AzureBuildFunctionZip(ctx context.Context, client *dagger.Client, src *dagger.Directory, opts AzurePackageOptions, wantPkgs []string) ([]byte, error) {
	data, _, err := azureCheckedZip(ctx, AzureFunctionPackageWith(client, src, opts), wantPkgs)
	return data, err
}

// azureCheckedZip exports the package built as file, checks its layout and
// returns it with its reader.
func azureCheckedZip(ctx context.Context, file *dagger.File, wantPkgs []string) ([]byte, *zip.Reader, error) {
	dir, err := os.MkdirTemp("", "onepipe-azure-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.zip")
	if _, err := file.Export(ctx, path); err != nil {
		return nil, nil, fmt.Errorf("package function app: %w", azureExplain(err))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("package function app: %w", err)
	}
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("package function app: %w", err)
	}
	if err := azure.CheckFunctionPackage(r, wantPkgs); err != nil {
		return nil, nil, err
	}
	return data, r, nil
}

// azureExplain shortens an engine error to the failed command and its last line of output.
func azureExplain(err error) error {
	var ex *dagger.ExecError
	if !errors.As(err, &ex) {
		return err
	}
	out := strings.TrimSpace(ex.Stderr)
	if out == "" {
		out = strings.TrimSpace(ex.Stdout)
	}
	if i := strings.LastIndex(out, "\n"); i >= 0 {
		out = out[i+1:]
	}
	return fmt.Errorf("`%s` exited %d: %s: %w", strings.Join(ex.Cmd, " "), ex.ExitCode, out, err)
}

// azurePackScript zips an app folder for the Functions host. argv: the
// folder, the zip to write, then patterns to leave out (as .funcignore
// lines: a name or glob matches a file or folder anywhere, a pattern with a
// slash matches a path from the root). The folder's .funcignore adds more.
// Below .python_packages only bytecode is left out. Entries are sorted and
// dated 1980-01-01, so the same input gives the same zip.
const azurePackScript = `"""Zip a Function App folder for the Functions host (written by onepipe)."""
import fnmatch, os, platform, sys, zipfile

src, out = sys.argv[1], sys.argv[2]
want = os.environ.get("ONEPIPE_MACHINE", "")
if want and platform.machine() != want:
    sys.exit("zip package: built on %s, but the Function App runs on %s: its wheels would not load there; "
             "give the engine emulation for that platform (binfmt)" % (platform.machine(), want))
patterns = [
    ".git", ".gitignore", ".funcignore", ".vscode", ".venv", "venv", ".env",
    "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox",
    "tests", "test", "conftest.py", "local.settings.json", "onepipe.yaml", ".onepipe",
    "*.egg-info", "__azurite_db*__.json", "__blobstorage__", "__queuestorage__",
] + sys.argv[3:]
ignore_file = os.path.join(src, ".funcignore")
if os.path.isfile(ignore_file):
    with open(ignore_file, encoding="utf-8") as f:
        patterns += [l.strip() for l in f if l.strip() and not l.lstrip().startswith(("#", "!"))]

PACKAGES = ".python_packages"

def left_out(rel, is_dir):
    if rel == PACKAGES or rel.startswith(PACKAGES + "/"):
        base = rel.rsplit("/", 1)[-1]
        return base == "__pycache__" or base.endswith(".pyc")
    base = rel.rsplit("/", 1)[-1]
    for p in patterns:
        dir_only = p.endswith("/")
        p = p.strip("/")
        if not p or (dir_only and not is_dir):
            continue
        if "/" in p:
            if fnmatch.fnmatchcase(rel, p):
                return True
        elif fnmatch.fnmatchcase(base, p):
            return True
    return False

os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
count = deps = 0
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src).replace(os.sep, "/")
        rel_root = "" if rel_root == "." else rel_root + "/"
        dirs[:] = sorted(d for d in dirs if not left_out(rel_root + d, True))
        for name in sorted(files):
            rel = rel_root + name
            full = os.path.join(root, name)
            if left_out(rel, False) or os.path.abspath(full) == os.path.abspath(out):
                continue
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if os.access(full, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as f:
                z.writestr(info, f.read())
            count += 1
            deps += rel.startswith(PACKAGES + "/")
print("zip package: %d files (%d under %s) -> %s" % (count, deps, PACKAGES, out))
`
