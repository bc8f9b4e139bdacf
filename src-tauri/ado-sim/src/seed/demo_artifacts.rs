//! Builders of the demo repository's Synapse artifacts, in the JSON shape Synapse Studio writes
//! to Git (`name` / `properties` / `type`, references by `referenceName` + reference type).

use serde_json::{json, Value};

pub fn ls_storage() -> Value {
    json!({
        "name": "contoso-synapse-dev-WorkspaceDefaultStorage",
        "type": "Microsoft.Synapse/workspaces/linkedservices",
        "properties": {
            "typeProperties": {"url": "https://contosodatalakedev.dfs.core.windows.net"},
            "type": "AzureBlobFS",
            "connectVia": {"referenceName": "AutoResolveIntegrationRuntime", "type": "IntegrationRuntimeReference"}
        }
    })
}

pub fn ls_sql_dw() -> Value {
    json!({
        "name": "contoso-synapse-dev-WorkspaceDefaultSqlServer",
        "type": "Microsoft.Synapse/workspaces/linkedservices",
        "properties": {
            "typeProperties": {"connectionString": "Data Source=tcp:contoso-synapse-dev.sql.azuresynapse.net,1433;Initial Catalog=@{linkedService().DBName}"},
            "parameters": {"DBName": {"type": "String"}},
            "type": "AzureSqlDW",
            "connectVia": {"referenceName": "AutoResolveIntegrationRuntime", "type": "IntegrationRuntimeReference"},
            "annotations": []
        }
    })
}

pub fn ls_key_vault() -> Value {
    json!({
        "name": "ls_keyvault",
        "type": "Microsoft.Synapse/workspaces/linkedservices",
        "properties": {
            "annotations": [],
            "type": "AzureKeyVault",
            "typeProperties": {"baseUrl": "https://contoso-kv-dev.vault.azure.net/"}
        }
    })
}

pub fn ls_sales_sql(managed_identity: bool) -> Value {
    let type_properties = if managed_identity {
        json!({"connectionString": "Integrated Security=False;Encrypt=True;Connection Timeout=30;Data Source=contoso-sales-dev.database.windows.net;Initial Catalog=sales", "authenticationType": "SystemAssignedManagedIdentity"})
    } else {
        json!({
            "connectionString": "Integrated Security=False;Encrypt=True;Connection Timeout=30;Data Source=contoso-sales-dev.database.windows.net;Initial Catalog=sales;User ID=etl_reader",
            "password": {"type": "AzureKeyVaultSecret", "store": {"referenceName": "ls_keyvault", "type": "LinkedServiceReference"}, "secretName": "sales-sql-etl-reader"}
        })
    };
    json!({
        "name": "ls_sales_sql",
        "type": "Microsoft.Synapse/workspaces/linkedservices",
        "properties": {
            "annotations": [],
            "type": "AzureSqlDatabase",
            "typeProperties": type_properties,
            "connectVia": {"referenceName": "AutoResolveIntegrationRuntime", "type": "IntegrationRuntimeReference"}
        }
    })
}

pub fn integration_runtime() -> Value {
    json!({
        "name": "AutoResolveIntegrationRuntime",
        "properties": {
            "type": "Managed",
            "typeProperties": {"computeProperties": {"location": "AutoResolve", "dataFlowProperties": {"computeType": "General", "coreCount": 8, "timeToLive": 0}}}
        }
    })
}

pub fn ds_csv(name: &str, folder: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "linkedServiceName": {"referenceName": "contoso-synapse-dev-WorkspaceDefaultStorage", "type": "LinkedServiceReference"},
            "annotations": [],
            "type": "DelimitedText",
            "typeProperties": {
                "location": {"type": "AzureBlobFSLocation", "folderPath": folder, "fileSystem": "raw"},
                "columnDelimiter": ",",
                "escapeChar": "\\",
                "firstRowAsHeader": true,
                "quoteChar": "\""
            },
            "schema": []
        },
        "type": "Microsoft.Synapse/workspaces/datasets"
    })
}

pub fn ds_parquet(name: &str, folder: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "linkedServiceName": {"referenceName": "contoso-synapse-dev-WorkspaceDefaultStorage", "type": "LinkedServiceReference"},
            "annotations": [],
            "type": "Parquet",
            "typeProperties": {
                "location": {"type": "AzureBlobFSLocation", "folderPath": folder, "fileSystem": "curated"},
                "compressionCodec": "snappy"
            },
            "schema": []
        },
        "type": "Microsoft.Synapse/workspaces/datasets"
    })
}

pub fn ds_sql_table(name: &str, table: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "linkedServiceName": {"referenceName": "ls_sales_sql", "type": "LinkedServiceReference"},
            "annotations": [],
            "type": "AzureSqlTable",
            "schema": [],
            "typeProperties": {"schema": "dbo", "table": table}
        },
        "type": "Microsoft.Synapse/workspaces/datasets"
    })
}

pub fn notebook(name: &str, description: &str, code: &[&str]) -> Value {
    let cells: Vec<Value> = code
        .iter()
        .map(|src| {
            let lines: Vec<String> = src.lines().map(|l| format!("{l}\n")).collect();
            json!({"cell_type": "code", "source": lines, "outputs": [], "execution_count": null, "metadata": {}})
        })
        .collect();
    json!({
        "name": name,
        "properties": {
            "description": description,
            "folder": {"name": "sales"},
            "nbformat": 4,
            "nbformat_minor": 2,
            "sessionProperties": {"driverMemory": "28g", "driverCores": 4, "executorMemory": "28g", "executorCores": 4, "numExecutors": 2},
            "metadata": {
                "saveOutput": true,
                "enableDebugMode": false,
                "kernelspec": {"name": "synapse_pyspark", "display_name": "Synapse PySpark"},
                "language_info": {"name": "python"}
            },
            "cells": cells
        }
    })
}

pub fn copy_activity(name: &str, source_ds: &str, sink_ds: &str, depends: &[&str]) -> Value {
    json!({
        "name": name,
        "type": "Copy",
        "dependsOn": depends.iter().map(|d| json!({"activity": d, "dependencyConditions": ["Succeeded"]})).collect::<Vec<_>>(),
        "policy": {"timeout": "0.12:00:00", "retry": 2, "retryIntervalInSeconds": 60, "secureOutput": false, "secureInput": false},
        "userProperties": [],
        "typeProperties": {
            "source": {"type": "AzureSqlSource", "queryTimeout": "02:00:00", "partitionOption": "None"},
            "sink": {"type": "DelimitedTextSink", "storeSettings": {"type": "AzureBlobFSWriteSettings"}, "formatSettings": {"type": "DelimitedTextWriteSettings", "quoteAllText": true, "fileExtension": ".csv"}},
            "enableStaging": false
        },
        "inputs": [{"referenceName": source_ds, "type": "DatasetReference"}],
        "outputs": [{"referenceName": sink_ds, "type": "DatasetReference"}]
    })
}

pub fn notebook_activity(name: &str, nb: &str, depends: &[&str]) -> Value {
    json!({
        "name": name,
        "type": "SynapseNotebook",
        "dependsOn": depends.iter().map(|d| json!({"activity": d, "dependencyConditions": ["Succeeded"]})).collect::<Vec<_>>(),
        "policy": {"timeout": "0.12:00:00", "retry": 0, "retryIntervalInSeconds": 30, "secureOutput": false, "secureInput": false},
        "userProperties": [],
        "typeProperties": {"notebook": {"referenceName": nb, "type": "NotebookReference"}, "snapshot": true}
    })
}

pub fn execute_pipeline(name: &str, pipeline: &str, depends: &[&str]) -> Value {
    json!({
        "name": name,
        "type": "ExecutePipeline",
        "dependsOn": depends.iter().map(|d| json!({"activity": d, "dependencyConditions": ["Succeeded"]})).collect::<Vec<_>>(),
        "userProperties": [],
        "typeProperties": {"pipeline": {"referenceName": pipeline, "type": "PipelineReference"}, "waitOnCompletion": true}
    })
}

pub fn pipeline(name: &str, activities: Vec<Value>) -> Value {
    json!({
        "name": name,
        "properties": {
            "activities": Value::Array(activities),
            "folder": {"name": "sales"},
            "annotations": [],
            "lastPublishTime": "2026-03-09T09:00:00Z"
        },
        "type": "Microsoft.Synapse/workspaces/pipelines"
    })
}

pub fn schedule_trigger(name: &str, pipeline: &str, hour: u32) -> Value {
    json!({
        "name": name,
        "properties": {
            "annotations": [],
            "runtimeState": "Started",
            "pipelines": [{"pipelineReference": {"referenceName": pipeline, "type": "PipelineReference"}}],
            "type": "ScheduleTrigger",
            "typeProperties": {
                "recurrence": {"frequency": "Day", "interval": 1, "startTime": "2026-03-10T00:00:00", "timeZone": "W. Europe Standard Time",
                               "schedule": {"minutes": [0], "hours": [hour]}}
            }
        }
    })
}

pub fn blob_trigger(name: &str, pipeline: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "annotations": [],
            "runtimeState": "Started",
            "pipelines": [{"pipelineReference": {"referenceName": pipeline, "type": "PipelineReference"}}],
            "type": "BlobEventsTrigger",
            "typeProperties": {
                "blobPathBeginsWith": "/raw/blobs/sales/drops/",
                "blobPathEndsWith": ".csv",
                "ignoreEmptyBlobs": true,
                "scope": "/subscriptions/6b1f3c52-9d7e-4f1a-8c3e-2a5d0e9b7f41/resourceGroups/rg-contoso-data-dev/providers/Microsoft.Storage/storageAccounts/contosodatalakedev",
                "events": ["Microsoft.Storage.BlobCreated"]
            }
        }
    })
}

pub fn sql_script(name: &str, query: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "folder": {"name": "reporting"},
            "content": {
                "query": query,
                "metadata": {"language": "sql"},
                "currentConnection": {"databaseName": "salesdw", "poolName": "Built-in"},
                "resultLimit": 5000
            },
            "type": "SqlQuery"
        }
    })
}
