use super::*;

#[test]
fn every_table_comes_after_the_tables_it_refers_to() {
    let tables = tables().unwrap();
    let store = Store::open_in_memory().unwrap();
    let place = |name: &str| tables.iter().position(|t| t.name == name).unwrap();
    for table in &tables {
        let parents: Vec<String> = store
            .conn()
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")
            .unwrap()
            .query_map([&table.name], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for parent in parents.iter().filter(|p| **p != table.name) {
            assert!(
                place(parent) < place(&table.name),
                "{parent} before {}",
                table.name
            );
        }
    }
    assert!(tables.iter().any(|t| t.name == "audit" && t.key == ["seq"]));
    assert!(!tables.iter().any(|t| t.name.starts_with("sqlite_")));
}
