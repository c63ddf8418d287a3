//! The PostgreSQL the tests use: 127.0.0.1:5432, trust auth, user postgres, database test.
//! Each test works in a schema of its own, dropped when it ends.

use postgres::{Client, NoTls};

pub const SERVER: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn client() -> Client {
    Client::connect("host=127.0.0.1 port=5432 user=postgres dbname=test", NoTls)
        .expect("PostgreSQL on 127.0.0.1:5432 (see .ci/run)")
}

/// A session whose unqualified names resolve in `schema`.
pub fn client_in(schema: &str) -> Client {
    let mut client = client();
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .expect("set the search path");
    client
}

/// A schema of the test's own in database `test`, dropped when the test ends.
pub struct TestSchema {
    pub name: String,
}

impl TestSchema {
    pub fn new(name: &str, setup: &str) -> TestSchema {
        let name = format!("zd_{name}_{}", std::process::id());
        let mut client = client();
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; SET search_path = {name}; {setup}"
            ))
            .expect("set up the test schema");
        TestSchema { name }
    }

    /// A URL whose sessions resolve unqualified names in this schema.
    pub fn url(&self) -> String {
        format!("{SERVER}?options=-csearch_path%3D{}", self.name)
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let _ = client().batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}
