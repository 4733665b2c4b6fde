package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployAzureFunctionKeepsSecretsOut runs `deploy azure-function` for a
// container Function App against a fake Entra ID and Resource Manager: the
// client secret and the token it buys never reach onepipe's output, also
// when the servers refuse and echo what they got.
func TestDeployAzureFunctionKeepsSecretsOut(t *testing.T) {
	const clientSecret = "client-secret-value-9f8e7d"
	const token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.token-value-5a4b3c"
	var armStatus int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/tenant-1/oauth2/v2.0/token":
			r.ParseForm()
			if r.PostForm.Get("client_secret") != clientSecret {
				w.WriteHeader(401)
				w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: ` + r.PostForm.Get("client_secret") + `"}`))
				return
			}
			w.Write([]byte(`{"access_token":"` + token + `","expires_in":3600,"token_type":"Bearer"}`))
		case strings.HasPrefix(r.URL.Path, "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Web/sites/func-1"):
			if r.Header.Get("Authorization") != "Bearer "+token {
				t.Errorf("%s %s: Authorization = %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
			}
			if armStatus != 200 {
				w.WriteHeader(armStatus)
				w.Write([]byte(`{"error":{"code":"AuthorizationFailed","message":"The client with token ` + token + ` does not have authorization to perform action Microsoft.Web/sites/config/write"}}`))
				return
			}
			w.Write([]byte(`{"name":"func-1","properties":{"state":"Running","defaultHostName":"func-1.azurewebsites.net","enabledHostNames":["func-1.azurewebsites.net","func-1.scm.azurewebsites.net"],"siteConfig":{"linuxFxVersion":"DOCKER|acme.azurecr.io/func:v1"}}}`))
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "requirements.txt"), []byte("azure-functions\n"), 0o644)
	os.WriteFile(filepath.Join(src, "onepipe.yaml"), []byte(`app: func
azure:
  tenantId: tenant-1
  clientId: client-1
  clientSecret: env:AZURE_CLIENT_SECRET
  subscriptionId: sub-1
  resourceGroup: rg-1
  loginUrl: `+srv.URL+`
  armUrl: `+srv.URL+`
  functionContainer: {app: func-1}
`), 0o644)

	tests := []struct {
		name      string
		secret    string
		armStatus int
		code      int
		want      string
	}{
		{"deployed", clientSecret, 200, 0, "now runs acme.azurecr.io/func:v1"},
		{"wrong client secret", clientSecret + "-old", 200, ExitFailed, "AADSTS7000215"},
		{"no right on the app", clientSecret, 403, ExitFailed, "AuthorizationFailed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			armStatus = tt.armStatus
			r := run(t, map[string]string{"AZURE_CLIENT_SECRET": tt.secret}, "deploy", "azure-function", "--source", src, "--image", "acme.azurecr.io/func:v1", "--debug")
			if r.code != tt.code || !strings.Contains(r.out+r.err, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.out, r.err, tt.code, tt.want)
			}
			for _, s := range []string{clientSecret, token} {
				if strings.Contains(r.out+r.err, s) {
					t.Errorf("output holds a secret:\n%s%s", r.out, r.err)
				}
			}
			if tt.code != 0 && len(strings.Split(strings.TrimSpace(r.err), "\n")) != 1 {
				t.Errorf("want one line, got %q", r.err)
			}
		})
	}
}

// TestWriteFunctionZip checks that a package that cannot be written is an
// error (it used to be lost, and --zip-only reported success).
func TestWriteFunctionZip(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir string
		want      string // "" for success
	}{
		{"new folder", filepath.Join(dir, "out", "pkg"), ""},
		{"folder below a file", filepath.Join(file, "out"), "write the zip package: mkdir " + file + ": not a directory"},
		{"a folder in the way of the zip", filepath.Join(dir, "taken"), "write the zip package: open " + filepath.Join(dir, "taken", "function.zip") + ": is a directory"},
	}
	if err := os.MkdirAll(filepath.Join(dir, "taken", "function.zip"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := writeFunctionZip(tt.dir, []byte("PK zip"))
			if tt.want != "" {
				if err == nil || err.Error() != tt.want {
					t.Errorf("err %v, want %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(out); out != filepath.Join(tt.dir, "function.zip") || string(got) != "PK zip" {
				t.Errorf("wrote %q to %s", got, out)
			}
		})
	}
}

// TestDeployAzureFunctionZipOnlyWithImage checks that --zip-only and --image
// together are a usage error naming both, before anything is built.
func TestDeployAzureFunctionZipOnlyWithImage(t *testing.T) {
	r := run(t, nil, "deploy", "azure-function", "--source", exampleDir(t, "azure-function"), "--zip-only", "--image", "acme.azurecr.io/shop:1")
	want := "onepipe: --zip-only and --image exclude each other: --zip-only builds the azure.functionZip package, --image deploys azure.functionContainer\n"
	if r.code != ExitUsage || r.err != want {
		t.Errorf("exit %d stderr %q, want %d and %q", r.code, r.err, ExitUsage, want)
	}
}
