package azure

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/onepipe/onepipe/internal/arm"
	"github.com/onepipe/onepipe/internal/config"
)

// Upload is how a zip package reaches a Function App. The hosting plan
// decides it, the way az functionapp deployment source config-zip does
// (azure-cli appservice/custom.py, enable_zip_deploy_functionapp).
type Upload string

// The uploads.
const (
	// UploadPublish: Flex Consumption has no /api/zipdeploy; the package
	// goes to POST /api/publish, one deploy (enable_zip_deploy_flex).
	UploadPublish Upload = "publish"
	// UploadRunFromPackage: Linux Consumption runs the package from a URL:
	// it is uploaded to the app's storage account (AzureWebJobsStorage,
	// container function-releases), WEBSITE_RUN_FROM_PACKAGE is set to a
	// read SAS of it and the triggers are synced (upload_zip_to_storage).
	UploadRunFromPackage Upload = "run-from-package"
	// UploadZipDeploy: every other plan takes POST /api/zipdeploy; a Linux
	// app first gets SCM_DO_BUILD_DURING_DEPLOYMENT=false, since the package
	// was built already (remove_remote_build_app_settings, enable_zip_deploy).
	UploadZipDeploy Upload = "zipdeploy"
)

// Hosting is a Function App's hosting plan.
type Hosting struct {
	// Tier is the plan's SKU tier: FlexConsumption, Dynamic (Consumption),
	// ElasticPremium, or a dedicated App Service plan's (Basic, Standard,
	// PremiumV3 ...).
	Tier string
	// Linux is true for a Linux app.
	Linux bool
}

// Upload is the way a package reaches an app on this plan.
func (h Hosting) Upload() Upload {
	switch {
	case strings.EqualFold(h.Tier, "FlexConsumption"):
		return UploadPublish
	case strings.EqualFold(h.Tier, "Dynamic") && h.Linux:
		return UploadRunFromPackage
	}
	return UploadZipDeploy
}

// Setting is the plan as azure.functionZip.hostingPlan names it.
func (h Hosting) Setting() string {
	switch {
	case strings.EqualFold(h.Tier, "FlexConsumption"):
		return config.HostingFlexConsumption
	case strings.EqualFold(h.Tier, "Dynamic"):
		return config.HostingConsumption
	case strings.EqualFold(h.Tier, "ElasticPremium"):
		return config.HostingPremium
	}
	return config.HostingDedicated
}

func (h Hosting) String() string {
	os := "Windows"
	if h.Linux {
		os = "Linux"
	}
	switch h.Setting() {
	case config.HostingFlexConsumption:
		return "Flex Consumption"
	case config.HostingConsumption:
		return os + " Consumption"
	case config.HostingPremium:
		return "Elastic Premium (" + os + ")"
	}
	return fmt.Sprintf("App Service plan %s (%s)", orUnknown(h.Tier), os)
}

// UploadLine says in a few words what an upload sends, for plans and logs.
func UploadLine(u Upload) string {
	switch u {
	case UploadPublish:
		return "POST /api/publish?RemoteBuild=false (one deploy)"
	case UploadRunFromPackage:
		return "upload to the AzureWebJobsStorage account (container function-releases), set WEBSITE_RUN_FROM_PACKAGE to its read URL, sync the triggers"
	}
	return "SCM_DO_BUILD_DURING_DEPLOYMENT=false on Linux, then POST /api/zipdeploy?isAsync=true"
}

// UploadOf is the upload of a hosting plan as azure.functionZip.hostingPlan
// names it (Python apps run on Linux).
func UploadOf(setting string) Upload {
	switch setting {
	case config.HostingFlexConsumption:
		return UploadPublish
	case config.HostingConsumption:
		return UploadRunFromPackage
	}
	return UploadZipDeploy
}

// Hosting reads the hosting plan of the app site: the site's sku when it
// reports one (az reads it there to tell Flex Consumption, azure-cli
// appservice/utils.py is_flex_functionapp), Flex Consumption when it has a
// functionAppConfig (only Flex apps have one), else the SKU tier of its App
// Service plan (serverFarmId; az's is_plan_consumption reads sku.tier).
func (c *ARM) Hosting(ctx context.Context, app FunctionApp, site Site) (Hosting, error) {
	h := Hosting{Tier: site.SKU, Linux: site.Linux}
	switch {
	case h.Tier != "":
		return h, nil
	case site.Flex:
		h.Tier = "FlexConsumption"
		return h, nil
	case !strings.HasPrefix(strings.ToLower(site.ServerFarmID), "/subscriptions/"):
		return h, fmt.Errorf("read the hosting plan of %s: the app names no App Service plan (serverFarmId): set azure.functionZip.hostingPlan", app)
	}
	var plan struct {
		Kind string `json:"kind"`
		SKU  struct {
			Tier string `json:"tier"`
		} `json:"sku"`
		Properties struct {
			Reserved bool `json:"reserved"`
		} `json:"properties"`
	}
	v := c.APIVersion
	if v == "" {
		v = WebAPIVersion
	}
	if err := c.call(ctx, armCall{method: http.MethodGet, path: site.ServerFarmID, apiVersion: v}, &plan); err != nil {
		return h, fmt.Errorf("read the hosting plan of %s: %w", app, err)
	}
	if plan.SKU.Tier == "" {
		return h, fmt.Errorf("read the hosting plan of %s: %s answered no sku.tier for %s", app, arm.Service, site.ServerFarmID)
	}
	h.Tier, h.Linux = plan.SKU.Tier, h.Linux || plan.Properties.Reserved
	return h, nil
}
