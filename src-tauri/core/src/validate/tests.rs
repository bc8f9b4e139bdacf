use super::*;

#[test]
fn accepts_and_normalises_the_three_url_shapes() {
    let ok = |s: &str| normalize_org_url(s, false).unwrap();
    assert_eq!(
        ok("https://dev.azure.com/contoso/"),
        "https://dev.azure.com/contoso"
    );
    assert_eq!(
        ok("  HTTPS://Dev.Azure.com/contoso//  "),
        "https://dev.azure.com/contoso"
    );
    assert_eq!(
        ok("https://contoso.visualstudio.com/"),
        "https://contoso.visualstudio.com"
    );
    assert_eq!(
        ok("https://contoso.visualstudio.com/DefaultCollection"),
        "https://contoso.visualstudio.com/DefaultCollection"
    );
    assert_eq!(
        ok("https://tfs.contoso.com:8443/tfs/Collection/"),
        "https://tfs.contoso.com:8443/tfs/Collection"
    );
}

#[test]
fn says_what_is_wrong_with_a_url() {
    let err = |s: &str| normalize_org_url(s, false).unwrap_err();
    assert!(err("").contains("required"));
    assert!(err("dev.azure.com/contoso").contains("Did you mean https://dev.azure.com/contoso?"));
    assert!(err("http://dev.azure.com/contoso").contains("https://"));
    assert!(err("https://dev.azure.com").contains("organization name"));
    let project = err("https://dev.azure.com/contoso/DataPlatform/_git/repo");
    assert!(
        project.contains("https://dev.azure.com/contoso."),
        "{project}"
    );
    assert!(err("https://vsrm.dev.azure.com/contoso").contains("service host"));
    assert!(err("https://me:pw@dev.azure.com/contoso").contains("user name or password"));
    assert!(err("https://dev.azure.com/contoso?x=1").contains("'?'"));
    assert!(err("https://tfs.contoso.com").contains("collection"));
    assert!(err("https://tfs.contoso.com/tfs/Col/_settings")
        .contains("https://tfs.contoso.com/tfs/Col."));
    assert!(err("ftp://dev.azure.com/contoso").contains("not supported"));
}

#[test]
fn local_http_only_for_simulated_profiles() {
    let sim = "http://127.0.0.1:4567/contoso/";
    assert!(normalize_org_url(sim, false)
        .unwrap_err()
        .contains("simulated"));
    assert_eq!(
        normalize_org_url(sim, true).unwrap(),
        "http://127.0.0.1:4567/contoso"
    );
    assert_eq!(
        normalize_org_url("http://localhost:9/contoso", true).unwrap(),
        "http://localhost:9/contoso"
    );
    // Plain http to a remote host stays refused even for simulated profiles.
    assert!(normalize_org_url("http://tfs.contoso.com/tfs/C", true).is_err());
}

#[test]
fn branch_templates_accept_known_placeholders_only() {
    for ok in [
        "Release{release}_Hotfixes",
        "hotfix/{release}",
        "hotfix/{releaseId}-{date}",
        "fixed",
    ] {
        assert!(check_branch_template(ok).is_ok(), "{ok}");
    }
    let unknown = check_branch_template("hotfix/{version}").unwrap_err();
    assert!(
        unknown.contains("{version}") && unknown.contains("{releaseId}"),
        "{unknown}"
    );
    assert!(check_branch_template("hotfix/{Release}")
        .unwrap_err()
        .contains("unknown"));
    assert!(check_branch_template("hotfix/{release")
        .unwrap_err()
        .contains("never closed"));
    assert!(check_branch_template("hotfix/release}")
        .unwrap_err()
        .contains("matching"));
    assert!(check_branch_template("hot fix/{release}")
        .unwrap_err()
        .contains("a space"));
    assert!(check_branch_template("hotfix/{release}.lock")
        .unwrap_err()
        .contains(".lock"));
    assert!(check_branch_template("  ")
        .unwrap_err()
        .contains("required"));
}

#[test]
fn rendering_fills_every_placeholder() {
    assert_eq!(
        render_branch_template(
            "Release{release}_Hotfixes/{releaseId}/{date}",
            "3",
            17,
            "20261126"
        ),
        "Release3_Hotfixes/17/20261126"
    );
    assert_eq!(release_label("Release-3"), "3");
    assert_eq!(release_label("Release-12"), "12");
    assert_eq!(release_label("Spring release"), "Spring_release");
}

#[test]
fn branch_names_follow_git_rules() {
    assert!(check_branch_name("feature/x").is_ok());
    for bad in [
        "/x", "x/", "a//b", "a..b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", ".x", "x.",
        "a@{b",
    ] {
        assert!(check_branch_name(bad).is_err(), "{bad}");
    }
    assert!(check_branch_pattern("feature/*").is_ok());
    assert!(check_branch_pattern("").is_err());
    assert!(check_branch_pattern("feat ure/*").is_err());
}

#[test]
fn workspace_names_and_subscription_ids() {
    assert!(check_workspace_name("contoso-synapse-prod").is_ok());
    for bad in ["", "Contoso", "-x", "x-", "a_b", &"a".repeat(51)] {
        assert!(check_workspace_name(bad).is_err(), "{bad}");
    }
    assert!(check_subscription_id("6e0f8a6b-6c1f-4f2e-9f43-2b6a6c1b1a11").is_ok());
    assert!(check_subscription_id("my-sub")
        .unwrap_err()
        .contains("GUID"));
}

#[test]
fn tag_templates_use_known_placeholders_and_give_valid_tag_names() {
    assert!(check_tag_template("").is_ok(), "empty: no tag");
    assert!(check_tag_template("Release-{release}-hotfix-{n}").is_ok());
    assert!(check_tag_template("hotfix/{releaseId}-{date}").is_ok());
    let unknown = check_tag_template("Release-{version}").unwrap_err();
    assert!(
        unknown.contains("unknown placeholder {version}"),
        "{unknown}"
    );
    let twice = check_tag_template("{n}-{n}").unwrap_err();
    assert!(twice.contains("only once"), "{twice}");
    let open = check_tag_template("Release-{n").unwrap_err();
    assert!(open.contains("never closed"), "{open}");
    let refused = check_tag_template("Release {n}").unwrap_err();
    assert!(refused.contains("which git refuses"), "{refused}");
}
