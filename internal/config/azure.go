package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/versions"
)

// Azure configures the Azure targets: a Function App that runs a container,
// a Function App fed by a zip package, and an Azure DevOps pipeline to
// trigger. Each target is on when its app (or pipeline) name is set; a
// Function App listing environments is the deploy target of `onepipe run
// --deploy` in those environments. Secret fields hold secret references
// (env:NAME or file:PATH), never the secret itself.
type Azure struct {
	// TenantID is the Microsoft Entra tenant (directory) of the service principal.
	TenantID string `json:"tenantId,omitempty"`
	// ClientID is the service principal's application (client) ID.
	ClientID string `json:"clientId,omitempty"`
	// ClientSecret is a secret reference to the service principal's client secret.
	ClientSecret string `json:"clientSecret,omitempty"`
	// FederatedToken is a secret reference to an OIDC token the CI issues
	// (workload identity federation), used instead of ClientSecret, e.g.
	// env:AZURE_FEDERATED_TOKEN or file:/var/run/secrets/azure/tokens/azure-identity-token.
	FederatedToken string `json:"federatedToken,omitempty"`
	// SubscriptionID and ResourceGroup locate the Function Apps.
	SubscriptionID string `json:"subscriptionId,omitempty"`
	ResourceGroup  string `json:"resourceGroup,omitempty"`
	// LoginURL and ARMURL are the Entra ID authority and the Resource
	// Manager endpoint of a sovereign cloud, e.g. https://login.chinacloudapi.cn
	// and https://management.chinacloudapi.cn (default: the public cloud).
	LoginURL string `json:"loginUrl,omitempty"`
	ARMURL   string `json:"armUrl,omitempty"`

	// FunctionContainer points a Function App at the image this run publishes.
	FunctionContainer AzureFunctionContainer `json:"functionContainer,omitempty"`
	// FunctionZip builds a Python zip package and uploads it with zip deploy.
	FunctionZip AzureFunctionZip `json:"functionZip,omitempty"`
	// DevOps queues a run of an Azure DevOps pipeline.
	DevOps AzureDevOps `json:"devops,omitempty"`
}

// AzureFunctionContainer is a Function App on a container (the ACR → Functions flow).
type AzureFunctionContainer struct {
	// App is the Function App's name.
	App string `json:"app,omitempty"`
	// Image is the full image reference to run; empty means the image this run publishes.
	Image string `json:"image,omitempty"`
	// Registry is how the app pulls the image.
	Registry AzureRegistry `json:"registry,omitempty"`
	// Restart restarts the app after the image changed.
	Restart bool `json:"restart,omitempty"`
	// Smoke is the request that must answer after the change.
	Smoke AzureSmoke `json:"smoke,omitempty"`
	// Environments are the environments whose `onepipe run --deploy` points
	// this Function App at the image the run publishes, e.g. [dev, prod].
	Environments []string `json:"environments,omitempty"`
}

// AzureRegistry is how a Function App pulls its image: registry credentials
// stored as app settings, or the app's managed identity.
type AzureRegistry struct {
	// Server is the registry URL, e.g. https://acme.azurecr.io.
	Server string `json:"server,omitempty"`
	// Username is a plain value or a secret reference.
	Username string `json:"username,omitempty"`
	// Password is a secret reference.
	Password string `json:"password,omitempty"`
	// ManagedIdentity pulls with the app's managed identity instead of a password.
	ManagedIdentity bool `json:"managedIdentity,omitempty"`
	// IdentityClientID selects a user-assigned identity (default: the system-assigned one).
	IdentityClientID string `json:"identityClientId,omitempty"`
}

// AzureSmoke is the smoke test run after a deploy: GET the path on the app's
// host until it answers 2xx or the timeout passes.
type AzureSmoke struct {
	// Path on the app, e.g. /api/health; empty skips the smoke test.
	Path string `json:"path,omitempty"`
	// Timeout bounds the wait (default 5m).
	Timeout string `json:"timeout,omitempty"`
	// Key is a secret reference to a function key, sent as x-functions-key.
	Key string `json:"key,omitempty"`
}

// AzureFunctionZip is a Python Function App deployed from a zip package.
type AzureFunctionZip struct {
	// App is the Function App's name.
	App string `json:"app,omitempty"`
	// PythonVersion is the app's Python version; the package is built in
	// python:<version>-slim (default 3.11).
	PythonVersion string `json:"pythonVersion,omitempty"`
	// Requirements is the requirements file, relative to the source (default requirements.txt).
	Requirements string `json:"requirements,omitempty"`
	// Wheelhouse is a folder of wheels in the source; when set, pip installs
	// from it alone (--no-index --find-links), for builds without a package index.
	Wheelhouse string `json:"wheelhouse,omitempty"`
	// Packages must be in .python_packages/lib/site-packages (import or
	// distribution names; default: the names requirements.txt lists).
	Packages []string `json:"packages,omitempty"`
	// Timeout bounds the deploy: the upload, the wait for it to finish and
	// any wait Azure asks for when it throttles (default 10m).
	Timeout string `json:"timeout,omitempty"`
	// Smoke is the request that must answer after the deploy.
	Smoke AzureSmoke `json:"smoke,omitempty"`
	// HostingPlan is the Function App's hosting plan: flexConsumption,
	// consumption (Linux Consumption), premium (Elastic Premium) or
	// dedicated (an App Service plan). It decides how the package is
	// uploaded; onepipe reads it from the app and fails when it differs.
	// Default: whatever the app's plan is (onepipe plan then lists the
	// upload of each plan).
	HostingPlan string `json:"hostingPlan,omitempty"`
	// Environments are the environments whose `onepipe run --deploy`
	// deploys this package, e.g. [dev, prod]: test, lint, the package
	// (instead of an image), the upload, the smoke checks.
	Environments []string `json:"environments,omitempty"`
}

// AzureDevOps triggers an Azure DevOps pipeline (the GitLab → Azure hand-off).
type AzureDevOps struct {
	// URL is the service's base URL (default https://dev.azure.com).
	URL string `json:"url,omitempty"`
	// Organization and Project hold the pipeline.
	Organization string `json:"organization,omitempty"`
	Project      string `json:"project,omitempty"`
	// Pipeline is the pipeline's name, optionally with its folder (\folder\name).
	Pipeline string `json:"pipeline,omitempty"`
	// Branch to run (default: the branch this run builds).
	Branch string `json:"branch,omitempty"`
	// Parameters are the pipeline's template parameters (templateParameters).
	Parameters map[string]string `json:"parameters,omitempty"`
	// Variables are queue-time variables: plain values of variables the
	// pipeline lets the run override ("Let users override this value when
	// running this pipeline").
	Variables map[string]string `json:"variables,omitempty"`
	// PAT is a secret reference to a personal access token.
	PAT string `json:"pat,omitempty"`
	// Token is a secret reference to an OAuth token (e.g. env:SYSTEM_ACCESSTOKEN), used instead of PAT.
	Token string `json:"token,omitempty"`
	// PATExpires is the PAT's expiry date (YYYY-MM-DD); onepipe warns in the
	// last 14 days. Azure DevOps does not report it to a PAT's holder.
	PATExpires string `json:"patExpires,omitempty"`
	// Wait waits for the run to finish and fails when it does not succeed.
	Wait bool `json:"wait,omitempty"`
	// Timeout bounds the wait (default 60m).
	Timeout string `json:"timeout,omitempty"`
}

// Default durations of the Azure waits.
const (
	AzureSmokeTimeout  = 5 * time.Minute
	AzureDeployTimeout = 10 * time.Minute
	AzureRunTimeout    = 60 * time.Minute
)

var (
	azureAppName   = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$`)
	azurePyVersion = regexp.MustCompile(`^3\.[0-9]{1,2}$`)
)

// Enabled reports whether any Azure target is configured.
func (a Azure) Enabled() bool {
	return a.FunctionContainer.App != "" || a.FunctionZip.App != "" || a.DevOps.Pipeline != ""
}

// Validate checks the azure: section; errors name the field and what to do.
func (a Azure) Validate() error {
	fc, fz := a.FunctionContainer, a.FunctionZip
	checks := []func() error{
		func() error { return azureSecretRef("azure.clientSecret", a.ClientSecret) },
		func() error { return azureSecretRef("azure.federatedToken", a.FederatedToken) },
		func() error {
			if a.ClientSecret != "" && a.FederatedToken != "" {
				return fmt.Errorf("azure: set clientSecret or federatedToken, not both")
			}
			return nil
		},
		func() error { return endpointURL("azure.loginUrl", a.LoginURL) },
		func() error { return endpointURL("azure.armUrl", a.ARMURL) },
		func() error {
			if a.DevOps.URL == "" {
				return nil
			}
			_, err := SecureURL("azure.devops.url", a.DevOps.URL, "https://dev.azure.com")
			return err
		},
		func() error { return a.validateFunctionApp("azure.functionContainer", fc.App, fc.Smoke) },
		func() error { return a.validateFunctionApp("azure.functionZip", fz.App, fz.Smoke) },
		func() error { return azureSecretRef("azure.functionContainer.registry.password", fc.Registry.Password) },
		func() error {
			r := fc.Registry
			if r.ManagedIdentity && (r.Username != "" || r.Password != "") {
				return fmt.Errorf("azure.functionContainer.registry: use managedIdentity or username/password, not both")
			}
			if r.Username != "" && r.Password == "" {
				return fmt.Errorf("azure.functionContainer.registry.password: set it for user %q (a secret reference)", r.Username)
			}
			return nil
		},
		func() error {
			if fz.PythonVersion != "" && !azurePyVersion.MatchString(fz.PythonVersion) {
				return fmt.Errorf("azure.functionZip.pythonVersion %q: use 3.<minor>, e.g. 3.11", fz.PythonVersion)
			}
			return nil
		},
		func() error { return azureDuration("azure.functionZip.timeout", fz.Timeout) },
		func() error {
			if fz.HostingPlan != "" && !slices.Contains(HostingPlans, fz.HostingPlan) {
				return fmt.Errorf("azure.functionZip.hostingPlan %q: use %s", fz.HostingPlan, strings.Join(HostingPlans, ", "))
			}
			return nil
		},
		func() error { return a.validateEnvironments() },
		func() error { return a.validateDevOps() },
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func (a Azure) validateFunctionApp(field, app string, smoke AzureSmoke) error {
	if app == "" {
		return nil
	}
	if !azureAppName.MatchString(app) {
		return fmt.Errorf("%s.app %q: use 2-60 letters, digits and dashes", field, app)
	}
	for _, f := range [][2]string{{"tenantId", a.TenantID}, {"clientId", a.ClientID}, {"subscriptionId", a.SubscriptionID}, {"resourceGroup", a.ResourceGroup}} {
		if f[1] == "" {
			return fmt.Errorf("azure.%s: set it to deploy %s.app %q", f[0], field, app)
		}
	}
	if a.ClientSecret == "" && a.FederatedToken == "" {
		return fmt.Errorf("azure: set clientSecret or federatedToken (a secret reference) to deploy %s.app %q", field, app)
	}
	if smoke.Path != "" && !strings.HasPrefix(smoke.Path, "/") {
		return fmt.Errorf("%s.smoke.path %q: start it with /, e.g. /api/health", field, smoke.Path)
	}
	if err := azureSecretRef(field+".smoke.key", smoke.Key); err != nil {
		return err
	}
	return azureDuration(field+".smoke.timeout", smoke.Timeout)
}

// PythonImage is the image the zip package is built in.
func (z AzureFunctionZip) PythonImage() string {
	v := z.PythonVersion
	if v == "" {
		v = versions.AzurePython
	}
	return versions.AzurePythonImage(v)
}

// RequirementsFile is the requirements file, default requirements.txt.
func (z AzureFunctionZip) RequirementsFile() string {
	if z.Requirements == "" {
		return "requirements.txt"
	}
	return z.Requirements
}

// DeployTimeout is Timeout parsed, or AzureDeployTimeout.
func (z AzureFunctionZip) DeployTimeout() time.Duration {
	return azureDurationOr(z.Timeout, AzureDeployTimeout)
}

// WaitTimeout is Timeout parsed, or AzureSmokeTimeout.
func (s AzureSmoke) WaitTimeout() time.Duration { return azureDurationOr(s.Timeout, AzureSmokeTimeout) }

// RunTimeout is Timeout parsed, or AzureRunTimeout.
func (d AzureDevOps) RunTimeout() time.Duration { return azureDurationOr(d.Timeout, AzureRunTimeout) }

// BaseURL is URL, or https://dev.azure.com.
func (d AzureDevOps) BaseURL() string {
	if d.URL == "" {
		return "https://dev.azure.com"
	}
	return strings.TrimSuffix(d.URL, "/")
}

// AzureIsSecretRef reports whether s is a secret reference (env:NAME or file:PATH).
func AzureIsSecretRef(s string) bool {
	name, ok := strings.CutPrefix(s, "env:")
	if !ok {
		name, ok = strings.CutPrefix(s, "file:")
	}
	return ok && name != ""
}

func azureSecretRef(field, v string) error {
	if v == "" || AzureIsSecretRef(v) {
		return nil
	}
	return fmt.Errorf("%s: use a secret reference (env:NAME or file:PATH), never the secret itself", field)
}

func azureDuration(field, v string) error {
	if v == "" {
		return nil
	}
	if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		return fmt.Errorf("%s %q: use a positive duration like 90s, 5m or 1h", field, v)
	}
	return nil
}

func azureDurationOr(v string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	return def
}

// endpointURL checks an endpoint override: a SecureURL with no path.
func endpointURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := SecureURL(field, raw, "https://management.chinacloudapi.cn")
	if err != nil {
		return err
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("%s %q: use an https URL with no path, e.g. https://management.chinacloudapi.cn", field, raw)
	}
	return nil
}

// SecureURL parses raw, the URL of a service onepipe sends a credential to
// (a token, a client secret, a PAT), and checks that the credential stays
// safe there: the URL is https, or plain http to this machine only (a
// local test server on localhost, 127.0.0.0/8 or ::1), and holds no user or
// password. The error names field (a setting or a flag) and example (a URL
// to use); it repeats raw unless raw may hold a password.
func SecureURL(field, raw, example string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.User != nil, err != nil && strings.Contains(raw, "@"):
		return nil, fmt.Errorf("%s: remove the user and password from the URL: endpoints take no credentials", field)
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Errorf("%s %q: use an https URL, e.g. %s", field, raw, example)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("%s %q: use an https URL, e.g. %s: plain http would carry the credentials unencrypted, so it is allowed only to this machine (localhost, 127.0.0.0/8, ::1)", field, raw, example)
	}
	return u, nil
}

// loopback reports whether host is this machine: localhost or a loopback
// address (127.0.0.0/8, ::1).
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
