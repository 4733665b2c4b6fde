package azure

// Answers in the shapes the real services send (IDs and hosts replaced).

const (
	entraToken = `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake.sig"}`

	entraBadSecret = `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '00000000-0000-0000-0000-00000000c11e'.\r\nTrace ID: 1b2c\r\nCorrelation ID: 3d4e\r\nTimestamp: 2024-05-01 10:00:00Z","error_codes":[7000215],"timestamp":"2024-05-01 10:00:00Z","trace_id":"1b2c","correlation_id":"3d4e","error_uri":"https://login.microsoftonline.com/error?code=7000215"}`

	entraNoFederation = `{"error":"invalid_request","error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://gitlab.com'. Assertion Subject: 'project_path:acme/shop:ref_type:branch:ref:main'.\r\nTrace ID: 5f6a","error_codes":[70021]}`

	armConfigWeb = `{"id":"/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-func/config/web","name":"shop-func","type":"Microsoft.Web/sites/config","location":"West Europe","properties":{"numberOfWorkers":1,"netFrameworkVersion":"v4.0","linuxFxVersion":"DOCKER|acme.azurecr.io/shop:1a2b3c4d","alwaysOn":false,"acrUseManagedIdentityCreds":false}}`

	armConfigWebPython = `{"id":"/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-zip/config/web","name":"shop-zip","type":"Microsoft.Web/sites/config","properties":{"linuxFxVersion":"Python|3.11"}}`

	armAppSettings = `{"id":"/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-func/config/appsettings","name":"appsettings","type":"Microsoft.Web/sites/config","location":"West Europe","properties":{"FUNCTIONS_EXTENSION_VERSION":"~4","AzureWebJobsStorage":"DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=c3RvcmFnZS1rZXktdmFsdWU=;EndpointSuffix=core.windows.net","DOCKER_REGISTRY_SERVER_PASSWORD":"old-password-value"}}`

	armSite = `{"id":"/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-func","name":"shop-func","type":"Microsoft.Web/sites","kind":"functionapp,linux,container","location":"West Europe","properties":{"name":"shop-func","state":"Running","hostNames":["shop-func-b7a2c9d0e1f2a3b4.westeurope-01.azurewebsites.net"],"defaultHostName":"shop-func-b7a2c9d0e1f2a3b4.westeurope-01.azurewebsites.net","enabled":true,"hostNameSslStates":[{"name":"shop-func-b7a2c9d0e1f2a3b4.westeurope-01.azurewebsites.net","sslState":"Disabled","hostType":"Standard"},{"name":"shop-func-b7a2c9d0e1f2a3b4.scm.westeurope-01.azurewebsites.net","sslState":"Disabled","hostType":"Repository"}]}}`

	armNotFound = `{"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.Web/sites/shop-func' under resource group 'rg-shop' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"}}`

	armExpiredToken = `{"error":{"code":"ExpiredAuthenticationToken","message":"The access token expiry UTC time '5/1/2024 9:00:00 AM' is earlier than current UTC time '5/1/2024 10:00:00 AM'."}}`

	// App Service answers its own errors in this capitalized shape.
	webConflict = `{"Code":"Conflict","Message":"Cannot modify this site because another operation is in progress. Details: Id: 4f5e, OperationName: Update, CreatedTime: 5/1/2024 10:00:00 AM, RequestId: 9a8b, EntityType: 1","Target":null,"Details":[{"Message":"Cannot modify this site because another operation is in progress."},{"Code":"Conflict"}],"Innererror":null}`

	kuduBuilding = `{"id":"0a1b2c3d","status":1,"status_text":"Building and Deploying '0a1b2c3d'.","author_email":"N/A","author":"N/A","deployer":"Push-Deployer","message":"Created via a push deployment","progress":"","received_time":"2024-05-01T10:00:00Z","start_time":"2024-05-01T10:00:01Z","end_time":null,"last_success_end_time":null,"complete":false,"active":false,"is_temp":false,"is_readonly":true,"url":"{server}/api/deployments/latest","log_url":"{server}/api/deployments/latest/log","site_name":"shop-zip","provisioningState":null}`

	kuduSuccess = `{"id":"0a1b2c3d","status":4,"status_text":"","author_email":"N/A","author":"N/A","deployer":"Push-Deployer","message":"Created via a push deployment","progress":"","received_time":"2024-05-01T10:00:00Z","start_time":"2024-05-01T10:00:01Z","end_time":"2024-05-01T10:00:40Z","last_success_end_time":"2024-05-01T10:00:40Z","complete":true,"active":true,"is_temp":false,"is_readonly":true,"url":"{server}/api/deployments/latest","log_url":"{server}/api/deployments/latest/log","site_name":"shop-zip"}`

	kuduFailed = `{"id":"0a1b2c3d","status":3,"status_text":"Deployment failed: Syncing function triggers failed.","deployer":"Push-Deployer","message":"Created via a push deployment","complete":true,"active":false,"log_url":"{server}/api/deployments/latest/log","site_name":"shop-zip"}`

	kuduInProgress = `There is a deployment currently in progress. Please try again when it completes.`

	devopsPipelines = `{"count":3,"value":[{"_links":{"self":{"href":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7?revision=3"}},"url":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7?revision=3","id":7,"revision":3,"name":"deploy","folder":"\\infra"},{"url":"https://dev.azure.com/acme/6f1e/_apis/pipelines/8?revision=1","id":8,"revision":1,"name":"build","folder":"\\"},{"url":"https://dev.azure.com/acme/6f1e/_apis/pipelines/9?revision=2","id":9,"revision":2,"name":"deploy","folder":"\\legacy"}]}`

	devopsRunQueued = `{"_links":{"self":{"href":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7/runs/1234"},"web":{"href":"https://dev.azure.com/acme/6f1e/_build/results?buildId=1234"},"pipeline":{"href":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7?revision=3"}},"pipeline":{"url":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7?revision=3","id":7,"revision":3,"name":"deploy","folder":"\\infra"},"state":"inProgress","createdDate":"2024-05-01T10:00:00.0000000Z","url":"https://dev.azure.com/acme/6f1e/_apis/pipelines/7/runs/1234","resources":{"repositories":{"self":{"repository":{"id":"2c3d","type":"azureReposGit"},"refName":"refs/heads/main","version":"0a1b2c3d"}}},"id":1234,"name":"20240501.1"}`

	devopsRunSucceeded = `{"_links":{"web":{"href":"https://dev.azure.com/acme/6f1e/_build/results?buildId=1234"}},"pipeline":{"id":7,"name":"deploy","folder":"\\infra"},"state":"completed","result":"succeeded","createdDate":"2024-05-01T10:00:00.0000000Z","finishedDate":"2024-05-01T10:05:00.0000000Z","id":1234,"name":"20240501.1"}`

	devopsRunFailed = `{"_links":{"web":{"href":"https://dev.azure.com/acme/6f1e/_build/results?buildId=1234"}},"pipeline":{"id":7,"name":"deploy"},"state":"completed","result":"failed","id":1234,"name":"20240501.1"}`

	devopsProjectNotFound = `{"$id":"1","innerException":null,"message":"TF200016: The following project does not exist: shopp. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.","typeName":"Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi","typeKey":"ProjectDoesNotExistWithNameException","errorCode":0,"eventId":3000}`

	devopsPipelineNotFound = `{"$id":"1","innerException":null,"message":"Pipeline with id 99 not found.","typeName":"Microsoft.Azure.Pipelines.WebApi.PipelineNotFoundException, Microsoft.Azure.Pipelines.WebApi","typeKey":"PipelineNotFoundException","errorCode":0,"eventId":3000}`

	devopsBadParameter = `{"$id":"1","innerException":null,"message":"Unexpected parameter 'envv'","typeName":"Microsoft.Azure.Pipelines.WebApi.PipelineValidationException, Microsoft.Azure.Pipelines.WebApi","typeKey":"PipelineValidationException","errorCode":0,"eventId":3000}`

	// A run Azure DevOps refuses after validating the request (the shape
	// Microsoft.TeamFoundation.Build2.WebApi's BuildRequestValidationFailedException
	// takes: its ValidationResults under customProperties).
	devopsRunRefused = `{"$id":"1","customProperties":{"ValidationResults":[{"result":"error","message":"Variable 'imageTag' cannot be set at queue time: it is not settable at queue time."},{"result":"warning","message":"Could not find a pool with name Linux-Big."}]},"innerException":null,"message":"Could not queue the build because there were validation errors or warnings.","typeName":"Microsoft.TeamFoundation.Build.WebApi.BuildRequestValidationFailedException, Microsoft.TeamFoundation.Build2.WebApi","typeKey":"BuildRequestValidationFailedException","errorCode":0,"eventId":3000}`

	// A refused PAT with X-TFS-FedAuthRedirect: Suppress: 401, no body, the reason in a header.
	devopsExpiredPATHeader = `Access%20Denied%3A%20The%20Personal%20Access%20Token%20used%20has%20expired.`
)
