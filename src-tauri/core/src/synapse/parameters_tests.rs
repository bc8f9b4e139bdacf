use serde_json::json;

use super::*;

fn names(ps: &[TemplateParameter]) -> Vec<String> {
    let mut n: Vec<String> = ps.iter().map(|p| p.name.clone()).collect();
    n.sort();
    n
}

#[test]
fn the_default_template_parameterises_linked_service_endpoints_and_secrets() {
    let def = default_definition();
    let kv = json!({"type": "AzureKeyVault", "typeProperties": {"baseUrl": "https://kv-dev.vault.azure.net/"}});
    let p = parameters_of(ArtifactKind::LinkedService, "ls_kv", &kv, &def);
    assert_eq!(names(&p), ["ls_kv_properties_typeProperties_baseUrl"]);
    assert_eq!(p[0].default, DefaultKept::DevelopmentValue);
    assert_eq!(p[0].display_path(), "properties.typeProperties.baseUrl");
    assert_eq!(p[0].property(), "baseUrl");

    let sql = json!({"type": "AzureSqlDatabase", "typeProperties": {
        "connectionString": "Data Source=dev;Password=x",
        "password": {"type": "AzureKeyVaultSecret", "store": {"referenceName": "ls_kv", "type": "LinkedServiceReference"}, "secretName": "s"}}});
    let p = parameters_of(ArtifactKind::LinkedService, "ls_sql", &sql, &def);
    assert_eq!(names(&p), ["ls_sql_connectionString"], "{p:?}");
    assert!(p[0].is_secure());
    assert_eq!(p[0].default, DefaultKept::Nothing);
}

#[test]
fn the_default_template_parameterises_trigger_scope_and_pipeline_parameters() {
    let def = default_definition();
    let tr = json!({"type": "BlobEventsTrigger",
        "pipelines": [{"pipelineReference": {"referenceName": "pl_load", "type": "PipelineReference"}, "parameters": {"day": "mon"}}],
        "typeProperties": {"scope": "/subscriptions/s/resourceGroups/dev/providers/Microsoft.Storage/storageAccounts/devlake"}});
    let p = parameters_of(ArtifactKind::Trigger, "tr", &tr, &def);
    assert_eq!(
        names(&p),
        [
            "tr_properties_pl_load_parameters_day",
            "tr_properties_typeProperties_scope"
        ]
    );
    let day = p.iter().find(|x| x.property() == "day").unwrap();
    assert_eq!(day.display_path(), "properties.pipelines[0].parameters.day");
}

#[test]
fn datasets_only_parameterise_first_level_folder_and_file() {
    let def = default_definition();
    let ds = json!({"type": "DelimitedText", "typeProperties": {
        "location": {"type": "AzureBlobFSLocation", "folderPath": "raw/sales"}, "folderPath": "x", "columnDelimiter": ","}});
    let p = parameters_of(ArtifactKind::Dataset, "ds", &ds, &def);
    assert_eq!(names(&p), ["ds_properties_typeProperties_folderPath"]);
    assert!(parameters_of(
        ArtifactKind::Pipeline,
        "pl",
        &json!({"activities": []}),
        &def
    )
    .is_empty());
}

#[test]
fn a_custom_definition_replaces_the_defaults_but_not_the_secure_strings() {
    let custom = json!({
        "Microsoft.Synapse/workspaces/linkedServices": {
            "AzureBlobFS": {"properties": {"typeProperties": {"url": "=:blobEndpointUri:string"}}},
            "*": {"properties": {"typeProperties": {"*": "="}}}
        },
        "Microsoft.Synapse/workspaces/notebooks": {"properties": {"bigDataPool": {"referenceName": "=:-pool"}}}
    });
    let kv =
        json!({"type": "AzureKeyVault", "typeProperties": {"baseUrl": "https://kv", "timeout": 5}});
    let p = parameters_of(ArtifactKind::LinkedService, "ls_kv", &kv, &custom);
    assert_eq!(
        names(&p),
        [
            "ls_kv_properties_typeProperties_baseUrl",
            "ls_kv_properties_typeProperties_timeout"
        ]
    );
    let lake = json!({"type": "AzureBlobFS", "typeProperties": {"url": "https://lake"}});
    let p = parameters_of(ArtifactKind::LinkedService, "lake", &lake, &custom);
    assert_eq!(
        names(&p),
        ["lake_properties_typeProperties_blobEndpointUri"]
    );
    let nb = json!({"bigDataPool": {"referenceName": "devpool", "type": "BigDataPoolReference"}});
    let p = parameters_of(ArtifactKind::Notebook, "nb", &nb, &custom);
    assert_eq!(names(&p), ["nb_pool"]);
    // Not in the custom file: triggers keep their scope unparameterised.
    let tr = json!({"type": "BlobEventsTrigger", "typeProperties": {"scope": "/x"}});
    assert!(parameters_of(ArtifactKind::Trigger, "tr", &tr, &custom).is_empty());
    // Secure strings are parameterised whatever the file says.
    let sql = json!({"type": "AzureSqlDW", "typeProperties": {"connectionString": "x"}});
    let empty = json!({});
    assert_eq!(
        names(&parameters_of(
            ArtifactKind::LinkedService,
            "dw",
            &sql,
            &empty
        )),
        ["dw_connectionString"]
    );
}

#[test]
fn actions_and_types_are_read_from_the_spec() {
    let custom = json!({"Microsoft.Synapse/workspaces/pipelines": {"properties": {"activities": [{
        "typeProperties": {"waitTimeInSeconds": "-::int", "headers": "=::object"}}]}}});
    let pl = json!({"activities": [{"name": "Wait1", "typeProperties": {"waitTimeInSeconds": 30}},
                                   {"name": "Web", "typeProperties": {"headers": {"a": "b"}}}]});
    let p = parameters_of(ArtifactKind::Pipeline, "pl", &pl, &custom);
    assert_eq!(
        names(&p),
        [
            "pl_properties_Wait1_typeProperties_waitTimeInSeconds",
            "pl_properties_Web_typeProperties_headers"
        ]
    );
    let wait = p
        .iter()
        .find(|x| x.property() == "waitTimeInSeconds")
        .unwrap();
    assert_eq!(
        (wait.param_type.as_str(), wait.default),
        ("int", DefaultKept::Nothing)
    );
    let headers = p.iter().find(|x| x.property() == "headers").unwrap();
    assert_eq!(headers.default, DefaultKept::DevelopmentValue);
}

#[test]
fn secrets_in_connection_strings_are_redacted() {
    assert_eq!(
        redact_secrets("Data Source=p;User ID=u;Password=hunter2;AccountKey=abc=="),
        "Data Source=p;User ID=u;Password=***;AccountKey=***"
    );
    assert_eq!(
        redact_secrets("https://kv.vault.azure.net/"),
        "https://kv.vault.azure.net/"
    );
}
