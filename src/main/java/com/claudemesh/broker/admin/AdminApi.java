package com.claudemesh.broker.admin;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller of the admin API ({@code /api/**}): its errors are RFC 9457 problem details with
 * a stable {@code code} property ({@link AdminProblemHandler}); {@link AdminTokenFilter} guards the path.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AdminApi {}
