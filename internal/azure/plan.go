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
		out = append(out, "azure auth: "+AuthLine(cfg))
	}
	if fc := cfg.FunctionContainer; fc.App != "" {
		out = append(out, FunctionContainerPlan(cfg, fc.Image)...)
		out = append(out, smokeLine(fc.App, fc.Smoke)...)
	}
	if fz := cfg.FunctionZip; fz.App != "" {
		out = append(out, FunctionZipPlan(cfg)...)
		out = append(out, smokeLine(fz.App, fz.Smoke)...)
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
			line += " with " + pairs(d.Parameters)
		}
		if len(d.Variables) > 0 {
			line += ", variables " + pairs(d.Variables)
		}
		out = append(out, line+" ("+auth+")")
		if d.Wait {
			out = append(out, fmt.Sprintf("azure devops: wait up to %s for the run and take its result", d.RunTimeout()))
		}
	}
	return out
}

// FunctionContainerPlan describes the deploy of azure.functionContainer to
// image ("" names the image the run publishes), one line a step.
func FunctionContainerPlan(cfg config.Azure, image string) []string {
	fc := cfg.FunctionContainer
	app := fc.App
	if image == "" {
		image = "<the image this run publishes>"
	}
	out := []string{fmt.Sprintf("azure function %s: set linuxFxVersion DOCKER|%s (ARM PATCH config/web, api-version %s)", appLabel(cfg, app), image, WebAPIVersion)}
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
	return out
}

// FunctionZipPlan describes the build and upload of azure.functionZip, one
// line a step: the upload the hosting plan takes when
// azure.functionZip.hostingPlan names it, else the upload of each plan.
func FunctionZipPlan(cfg config.Azure) []string {
	fz := cfg.FunctionZip
	app := fz.App
	install := fmt.Sprintf("pip install --target=%s -r %s", SitePackages, fz.RequirementsFile())
	if fz.Wheelhouse != "" {
		install += " --no-index --find-links " + fz.Wheelhouse
	}
	upload := fmt.Sprintf("azure function %s: read its hosting plan (%s), then: Flex Consumption: %s; Linux Consumption: %s; other plans: %s; wait up to %s",
		app, "set azure.functionZip.hostingPlan to name it", UploadLine(UploadPublish), UploadLine(UploadRunFromPackage), UploadLine(UploadZipDeploy), fz.DeployTimeout())
	if fz.HostingPlan != "" {
		upload = fmt.Sprintf("azure function %s: hosting plan %s (checked against the app): %s; wait up to %s", app, fz.HostingPlan, UploadLine(UploadOf(fz.HostingPlan)), fz.DeployTimeout())
	}
	return []string{
		fmt.Sprintf("azure function %s: build the zip package for %s in %s: %s", appLabel(cfg, app), PackagePlatform, fz.PythonImage(), install),
		upload,
	}
}

func pairs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k+"="+m[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// AuthLine says which service principal signs in, and with what secret
// (its reference, never its value).
func AuthLine(cfg config.Azure) string {
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
