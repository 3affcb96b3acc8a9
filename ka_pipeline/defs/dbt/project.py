"""The dbt project, in a module of its own so `dagster-dbt project prepare-and-package` can
import it. `prepare_if_dev()` re-parses the manifest when running under `dagster dev`."""

from dagster_dbt import DbtProject

from ka_pipeline.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
