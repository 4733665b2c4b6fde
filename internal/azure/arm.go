package azure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/onepipe/onepipe/internal/arm"
)

// WebAPIVersion is the Microsoft.Web (App Service) api-version requests use.
const WebAPIVersion = "2023-12-01"

// App settings a Function App on a container reads to pull from a private registry.
const (
	SettingRegistryURL      = "DOCKER_REGISTRY_SERVER_URL"
	SettingRegistryUsername = "DOCKER_REGISTRY_SERVER_USERNAME"
	SettingRegistryPassword = "DOCKER_REGISTRY_SERVER_PASSWORD"
)

// FunctionApp names a Function App in Azure Resource Manager.
type FunctionApp struct {
	Subscription  string
	ResourceGroup string
	Name          string
}

func (a FunctionApp) String() string { return a.ResourceGroup + "/" + a.Name }

func (a FunctionApp) check() error {
	switch {
	case a.Subscription == "":
		return fmt.Errorf("function app %s: no subscription: set azure.subscriptionId", a)
	case a.ResourceGroup == "":
		return fmt.Errorf("function app %s: no resource group: set azure.resourceGroup", a)
	case a.Name == "":
		return fmt.Errorf("function app: no name: set the app's name in onepipe.yaml")
	}
	return nil
}

// RegistryCreds is how a Function App pulls its image: a user and password
// stored in its app settings, or its managed identity.
type RegistryCreds struct {
	// Server is the registry URL, e.g. https://acme.azurecr.io.
	Server   string
	Username string
	Password Secret
	// ManagedIdentity pulls with the app's managed identity (no password).
	ManagedIdentity bool
	// IdentityClientID selects a user-assigned identity.
	IdentityClientID string
}

// Site is what onepipe reads of a Function App.
type Site struct {
	Kind  string
	State string
	// DefaultHostName is the app's host, e.g. shop.azurewebsites.net.
	DefaultHostName string
	// SCMHostName is the Kudu host, e.g. shop.scm.azurewebsites.net.
	SCMHostName string
	// ServerFarmID is the resource ID of the app's App Service plan.
	ServerFarmID string
	// SKU is the plan's SKU as the site reports it (Dynamic,
	// FlexConsumption, ElasticPremium, PremiumV3 ...; empty in answers of
	// API versions that lack it).
	SKU string
	// Linux is true for a Linux app (reserved, or kind ...,linux).
	Linux bool
	// Flex is true when the site has a functionAppConfig, which only Flex
	// Consumption apps have.
	Flex bool
	// Runtime and RuntimeVersion are a Flex Consumption app's stack
	// (functionAppConfig.runtime), e.g. python and 3.11.
	Runtime, RuntimeVersion string
}

// SetContainerImage points the app at image (registry/name:tag), the way the
// AzureFunctionAppContainer@1 task does: linuxFxVersion = DOCKER|image. With
// reg it first stores the registry settings (or turns on pulling with the
// managed identity). The app picks the image up on its next start; call
// Restart to make that now.
func (c *ARM) SetContainerImage(ctx context.Context, app FunctionApp, image string, reg *RegistryCreds) error {
	if err := app.check(); err != nil {
		return err
	}
	if image == "" || strings.ContainsAny(image, " |\t\n") {
		return fmt.Errorf("set image of %s: image %q: use a reference like acme.azurecr.io/shop:1a2b3c4d", app, image)
	}
	props := map[string]any{"linuxFxVersion": "DOCKER|" + image}
	if reg != nil && reg.ManagedIdentity {
		props["acrUseManagedIdentityCreds"] = true
		if reg.IdentityClientID != "" {
			props["acrUserManagedIdentityID"] = reg.IdentityClientID
		}
	} else if reg != nil && reg.Server != "" {
		settings := map[string]string{SettingRegistryURL: registryURL(reg.Server)}
		var secrets []string
		if reg.Username != "" {
			pw, err := reveal(ctx, "registry password for "+reg.Username, reg.Password)
			if err != nil {
				return fmt.Errorf("set image of %s: %w", app, err)
			}
			settings[SettingRegistryUsername] = reg.Username
			settings[SettingRegistryPassword] = pw
			secrets = append(secrets, pw)
		}
		if err := c.MergeAppSettings(ctx, app, settings, secrets...); err != nil {
			return fmt.Errorf("set image of %s: %w", app, err)
		}
	}
	body := map[string]any{"properties": props}
	if _, err := c.do(ctx, http.MethodPatch, app, "/config/web", nil, body); err != nil {
		return fmt.Errorf("set image of %s to %s: %w", app, image, err)
	}
	return nil
}

// Restart restarts the app and waits until ARM reports it restarted.
func (c *ARM) Restart(ctx context.Context, app FunctionApp) error {
	if err := app.check(); err != nil {
		return err
	}
	if _, err := c.do(ctx, http.MethodPost, app, "/restart", url.Values{"synchronous": {"true"}}, nil); err != nil {
		return fmt.Errorf("restart %s: %w", app, err)
	}
	return nil
}

// Site reads the app's kind, state and host names.
func (c *ARM) Site(ctx context.Context, app FunctionApp) (Site, error) {
	if err := app.check(); err != nil {
		return Site{}, err
	}
	resp, err := c.do(ctx, http.MethodGet, app, "", nil, nil)
	if err != nil {
		return Site{}, fmt.Errorf("read %s: %w", app, err)
	}
	var out struct {
		Kind       string `json:"kind"`
		Properties struct {
			State             string `json:"state"`
			DefaultHostName   string `json:"defaultHostName"`
			HostNameSslStates []struct {
				Name     string `json:"name"`
				HostType string `json:"hostType"`
			} `json:"hostNameSslStates"`
			ServerFarmID      string `json:"serverFarmId"`
			Reserved          *bool  `json:"reserved"`
			SKU               string `json:"sku"`
			FunctionAppConfig *struct {
				Runtime struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"runtime"`
			} `json:"functionAppConfig"`
		} `json:"properties"`
	}
	if err := decode(arm.Service, resp, &out); err != nil {
		return Site{}, err
	}
	p := out.Properties
	s := Site{Kind: out.Kind, State: p.State, DefaultHostName: p.DefaultHostName, ServerFarmID: p.ServerFarmID, SKU: p.SKU,
		Linux: (p.Reserved != nil && *p.Reserved) || slices.Contains(strings.Split(strings.ToLower(out.Kind), ","), "linux"),
		Flex:  p.FunctionAppConfig != nil}
	if p.FunctionAppConfig != nil {
		s.Runtime, s.RuntimeVersion = p.FunctionAppConfig.Runtime.Name, p.FunctionAppConfig.Runtime.Version
	}
	for _, h := range out.Properties.HostNameSslStates {
		if strings.EqualFold(h.HostType, "Repository") {
			s.SCMHostName = h.Name
		}
	}
	if s.SCMHostName == "" && strings.HasSuffix(s.DefaultHostName, ".azurewebsites.net") {
		s.SCMHostName = strings.TrimSuffix(s.DefaultHostName, ".azurewebsites.net") + ".scm.azurewebsites.net"
	}
	return s, nil
}

// SyncTriggers tells the platform to read the app's triggers again (POST
// syncfunctiontriggers), as az does after pointing a consumption app at a
// new package (azure-cli appservice/custom.py, upload_zip_to_storage).
func (c *ARM) SyncTriggers(ctx context.Context, app FunctionApp) error {
	if err := app.check(); err != nil {
		return err
	}
	if _, err := c.do(ctx, http.MethodPost, app, "/syncfunctiontriggers", nil, nil); err != nil {
		return fmt.Errorf("sync the triggers of %s: %w", app, err)
	}
	return nil
}

// LinuxFxVersion reads the app's linuxFxVersion (DOCKER|image, Python|3.11,
// or empty).
func (c *ARM) LinuxFxVersion(ctx context.Context, app FunctionApp) (string, error) {
	if err := app.check(); err != nil {
		return "", err
	}
	resp, err := c.do(ctx, http.MethodGet, app, "/config/web", nil, nil)
	if err != nil {
		return "", fmt.Errorf("read configuration of %s: %w", app, err)
	}
	var out struct {
		Properties struct {
			LinuxFxVersion string `json:"linuxFxVersion"`
		} `json:"properties"`
	}
	if err := decode(arm.Service, resp, &out); err != nil {
		return "", err
	}
	return out.Properties.LinuxFxVersion, nil
}

// SetLinuxFxVersion writes the app's linuxFxVersion as it was read (a
// rollback's way back to the previous image).
func (c *ARM) SetLinuxFxVersion(ctx context.Context, app FunctionApp, v string) error {
	if err := app.check(); err != nil {
		return err
	}
	body := map[string]any{"properties": map[string]any{"linuxFxVersion": v}}
	if _, err := c.do(ctx, http.MethodPatch, app, "/config/web", nil, body); err != nil {
		return fmt.Errorf("set linuxFxVersion of %s: %w", app, err)
	}
	return nil
}

// PythonVersion reads the app's Python version from its linuxFxVersion
// (PYTHON|3.11 → 3.11). It is empty for an app that is not a Python app.
func (c *ARM) PythonVersion(ctx context.Context, app FunctionApp) (string, error) {
	if err := app.check(); err != nil {
		return "", err
	}
	fx, err := c.LinuxFxVersion(ctx, app)
	if err != nil {
		return "", err
	}
	stack, version, ok := strings.Cut(fx, "|")
	if !ok || !strings.EqualFold(stack, "python") {
		return "", nil
	}
	return version, nil
}

// do sends one request to the app's resource (sub is the path below it),
// with body (nil for none) as JSON. A GET is tried again on a transient answer.
func (c *ARM) do(ctx context.Context, method string, app FunctionApp, sub string, q url.Values, body any, secrets ...string) (*arm.Response, error) {
	v := c.APIVersion
	if v == "" {
		v = WebAPIVersion
	}
	path := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/sites/%s%s",
		url.PathEscape(app.Subscription), url.PathEscape(app.ResourceGroup), url.PathEscape(app.Name), sub)
	return c.send(ctx, armCall{method: method, path: path, apiVersion: v, query: q, body: body, secrets: secrets})
}

// registryURL adds https:// to a bare registry host.
func registryURL(server string) string {
	if strings.Contains(server, "://") {
		return server
	}
	return "https://" + server
}
