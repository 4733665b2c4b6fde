package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
)

// TestAzureFunctionPackageE2E builds the zip package of
// examples/azure-function on a real engine, exports it and checks the
// layout the Functions host loads. The build is offline: greetkit is a local
// path in requirements.txt and pip runs with --no-index.
func TestAzureFunctionPackageE2E(t *testing.T) {
	client := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	src := client.Host().Directory(azureExample, dagger.HostDirectoryOpts{Exclude: azureSourceExcludes}).
		WithNewFile("local-junk/.venv/x.py", "junk").
		WithNewFile("tests/__pycache__/t.pyc", "junk")
	data, err := AzureBuildFunctionZip(ctx, client, src, AzurePackageOptions{NoIndex: true}, []string{"greetkit"})
	if err != nil {
		t.Fatal(err)
	}
	checkAzureExampleZip(t, data)

	// Without the dependency installed, the check refuses the package.
	bare := client.Host().Directory(azureExample, dagger.HostDirectoryOpts{Exclude: azureSourceExcludes}).
		WithNewFile("requirements.txt", "# nothing\n")
	_, err = AzureBuildFunctionZip(ctx, client, bare, AzurePackageOptions{NoIndex: true}, []string{"greetkit"})
	if err == nil || !strings.Contains(err.Error(), "greetkit missing from .python_packages/lib/site-packages/") {
		t.Fatalf("a package without greetkit: got %v, want the layout check to refuse it", err)
	}
}
