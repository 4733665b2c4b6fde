package azure

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onepipe/onepipe/internal/config"
)

// PlanLines describes, one line per step, what the Azure targets of cfg
// would do, for `onepipe plan`. It calls nothing: secrets appear as their
// references (env:NAME, file:PATH), never as values.
func PlanLines(cfg config.Azure) []string {
	if !cfg.Enabled() {
		return nil
	}
	var out []string
	if cfg.FunctionContainer.App != "" || cfg.FunctionZip.App != "" {
		out = append(out, "azure auth: "+authLine(cfg))
	}
	if fc := cfg.FunctionContainer; fc.App != "" {
		app := fc.App
		image := fc.Image
		if image == "" {
			image = "<the image this run publishes>"
		}
		out = append(out, fmt.Sprintf("azure function %s: set linuxFxVersion DOCKER|%s (ARM PATCH config/web, api-version %s)", appLabel(cfg, app), image, WebAPIVersion))
		switch r := fc.Registry; {
		case r.ManagedIdentity:
			id := "system-assigned identity"
			if r.IdentityClientID != "" {
				id = "user-assigned identity " + r.IdentityClientID
			}
			out = append(out, fmt.Sprintf("azure function %s: pull with the %s (acrUseManagedIdentityCreds)", app, id))
		case r.Server != "":
			line := fmt.Sprintf("azure function %s: app settings %s=%s", app, SettingRegistryURL, registryURL(r.Server))
			if r.Username != "" {
				line += fmt.Sprintf(", %s=%s, %s from %s", SettingRegistryUsername, r.Username, SettingRegistryPassword, r.Password)
			}
			out = append(out, line)
		}
		if fc.Restart {
			out = append(out, fmt.Sprintf("azure function %s: restart", app))
		}
		out = append(out, smokeLine(app, fc.Smoke)...)
	}
	if fz := cfg.FunctionZip; fz.App != "" {
		app := fz.App
		install := fmt.Sprintf("pip install --target=%s -r %s", SitePackages, fz.RequirementsFile())
		if fz.Wheelhouse != "" {
			install += " --no-index --find-links " + fz.Wheelhouse
		}
		out = append(out,
			fmt.Sprintf("azure function %s: build the zip package in %s: %s", appLabel(cfg, app), fz.PythonImage(), install),
			fmt.Sprintf("azure function %s: zip deploy to its scm site (POST /api/zipdeploy?isAsync=true, wait up to %s)", app, fz.DeployTimeout()))
		out = append(out, smokeLine(app, fz.Smoke)...)
	}
	if d := cfg.DevOps; d.Pipeline != "" {
		branch := d.Branch
		if branch == "" {
			branch = "<the branch this run builds>"
		}
		auth := "PAT from " + d.PAT
		if d.Token != "" {
			auth = "OAuth token from " + d.Token
		}
		line := fmt.Sprintf("azure devops: run pipeline \"%s\" in %s/%s/%s on %s", d.Pipeline, d.BaseURL(), d.Organization, d.Project, branch)
		if len(d.Parameters) > 0 {
			keys := make([]string, 0, len(d.Parameters))
			for k := range d.Parameters {
				keys = append(keys, k+"="+d.Parameters[k])
			}
			sort.Strings(keys)
			line += " with " + strings.Join(keys, ", ")
		}
		out = append(out, line+" ("+auth+")")
		if d.Wait {
			out = append(out, fmt.Sprintf("azure devops: wait up to %s for the run and take its result", d.RunTimeout()))
		}
	}
	return out
}

func authLine(cfg config.Azure) string {
	how := "no secret set"
	switch {
	case cfg.ClientSecret != "":
		how = "client secret from " + cfg.ClientSecret
	case cfg.FederatedToken != "":
		how = "federated token from " + cfg.FederatedToken
	}
	return fmt.Sprintf("service principal %s in tenant %s (%s)", orUnknown(cfg.ClientID), orUnknown(cfg.TenantID), how)
}

func appLabel(cfg config.Azure, name string) string {
	return fmt.Sprintf("%s (resource group %s, subscription %s)", name, orUnknown(cfg.ResourceGroup), orUnknown(cfg.SubscriptionID))
}

func smokeLine(app string, s config.AzureSmoke) []string {
	if s.Path == "" {
		return nil
	}
	line := fmt.Sprintf("azure function %s: smoke test GET https://<default host>%s until 2xx, up to %s", app, s.Path, s.WaitTimeout())
	if s.Key != "" {
		line += " (x-functions-key from " + s.Key + ")"
	}
	return []string{line}
}
